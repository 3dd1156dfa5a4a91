"""Admin for cohorts, their members, occurrences and attendance (imported by programs.admin).

Every class is clinic-scoped (recovery.access.ClinicScopedAdmin): an admin sees, changes and
picks only their own clinic's cohorts, enrolments, meetings and people. The cohort rules
(dates and places within the window, members in step) are the same as on the clinician pages.
Saving a new cohort schedules its group sessions, as the clinician page does.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from recovery.access import ClinicScopedAdmin, ClinicScopedMixin, in_clinic
from recovery.models import User

from . import cohorts as rules
from .models import Attendance, Cohort, CohortMembership, Enrolment, Occurrence, ProgramVersion

RelatedOnly = admin.RelatedOnlyFieldListFilter
STAFF = (User.Role.CLINICIAN, User.Role.ADMIN)
PATIENTS = (User.Role.PATIENT,)

# Relations to cohort data: the path from each model to its clinic.
_CLINIC_PATHS = {
    Cohort: "clinic",
    Enrolment: "patient__clinic",
    Occurrence: "cohort__clinic",
}


class CohortScopedMixin(ClinicScopedMixin):
    """ClinicScopedMixin, plus choices of cohorts, enrolments and meetings (raw-id fields
    included: the form refuses an id typed from another clinic)."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        path = _CLINIC_PATHS.get(db_field.remote_field.model)
        if path is not None and "queryset" not in kwargs:
            model = db_field.remote_field.model
            kwargs["queryset"] = in_clinic(model.objects.all(), request.user, path)  # type: ignore[arg-type]
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CohortAdminForm(forms.ModelForm):
    """The window rules on the cohort form (the admin supplies its model and fields)."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        clinic = data.get("clinic") or getattr(self.instance, "clinic", None)
        if clinic is not None:
            today = rules.clinic_today(clinic)
            for field, problem in rules.cohort_problems(
                data.get("start_date"), data.get("capacity"), today
            ).items():
                self.add_error(field, problem)
        return data


class MembershipForm(forms.ModelForm):
    """A member added here must be in step with the cohort, as on the clinician page."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        cohort = data.get("cohort") or getattr(self.instance, "cohort", None)
        enrolment = data.get("enrolment")
        if self.instance.pk is None and cohort is not None and enrolment is not None:
            problem = rules.step_problem(cohort, enrolment)
            if problem:
                self.add_error("enrolment", problem)
        return data


class CohortMembershipInline(CohortScopedMixin, admin.TabularInline):
    model = CohortMembership
    form = MembershipForm
    clinic_lookup = "cohort__clinic"
    extra = 0
    raw_id_fields = ("enrolment",)
    readonly_fields = ("joined_at",)


class OccurrenceInline(admin.TabularInline):
    model = Occurrence
    extra = 0
    fields = ("session", "starts_at", "duration_minutes", "location", "cancelled")
    readonly_fields = ("session",)
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # occurrences come from the version's group sessions


@admin.register(Cohort)
class CohortAdmin(CohortScopedMixin, ClinicScopedAdmin):
    form = CohortAdminForm
    clinic_lookup = "clinic"
    user_roles = {"facilitators": STAFF}
    list_display = ("name", "version", "start_date", "meeting_time", "capacity", "clinic")
    list_filter = ("version__program",)
    search_fields = ("name",)
    filter_horizontal = ("facilitators",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [CohortMembershipInline, OccurrenceInline]
    actions = ["schedule_sessions"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Cohort]:
        return super().get_queryset(request).select_related("version__program", "clinic")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "clinic":
            kwargs["initial"] = request.user.clinic_id  # type: ignore[union-attr]
        if db_field.name == "version":
            # A cohort follows a frozen curriculum: drafts may still change under it.
            kwargs["queryset"] = ProgramVersion.objects.filter(
                status=ProgramVersion.Status.PUBLISHED
            ).select_related("program")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        rules.generate_occurrences(form.instance)

    @admin.action(description="Schedule missing group sessions")
    def schedule_sessions(self, request: HttpRequest, queryset: QuerySet[Cohort]) -> None:
        for cohort in queryset:
            rules.generate_occurrences(cohort)
        self.message_user(
            request, f"Scheduled sessions for {queryset.count()} cohort(s).", messages.SUCCESS
        )


@admin.register(CohortMembership)
class CohortMembershipAdmin(CohortScopedMixin, ClinicScopedAdmin):
    form = MembershipForm
    clinic_lookup = "cohort__clinic"
    list_display = ("enrolment", "cohort", "joined_at")
    list_filter = (("cohort", RelatedOnly),)
    raw_id_fields = ("cohort", "enrolment")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CohortMembership]:
        return (
            super()
            .get_queryset(request)
            .select_related(
                "cohort", "enrolment__patient__patient_profile", "enrolment__version__program"
            )
        )


@admin.register(Occurrence)
class OccurrenceAdmin(CohortScopedMixin, ClinicScopedAdmin):
    clinic_lookup = "cohort__clinic"
    list_display = ("session", "cohort", "starts_at", "duration_minutes", "location", "cancelled")
    list_filter = ("cancelled", ("cohort", RelatedOnly))
    date_hierarchy = "starts_at"
    readonly_fields = ("cohort", "session")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Occurrence]:
        return super().get_queryset(request).select_related("cohort", "session")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # generated from the cohort's version


@admin.register(Attendance)
class AttendanceAdmin(CohortScopedMixin, ClinicScopedAdmin):
    clinic_lookup = "occurrence__cohort__clinic"
    user_roles = {"patient": PATIENTS}
    list_display = ("patient", "occurrence", "status", "recorded_by", "recorded_at")
    list_filter = ("status", ("occurrence__cohort", RelatedOnly))
    raw_id_fields = ("occurrence", "patient")
    readonly_fields = ("recorded_by", "recorded_at")
    search_fields = ("patient__email",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attendance]:
        return (
            super()
            .get_queryset(request)
            .select_related("patient__patient_profile", "occurrence__session", "recorded_by")
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.recorded_by = request.user  # whoever saves the row is who recorded it
        super().save_model(request, obj, form, change)
