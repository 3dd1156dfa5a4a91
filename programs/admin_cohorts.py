"""Admin for cohorts, their members, occurrences and attendance (imported by programs.admin).

Admins see their own clinic's cohorts only: one deployment may serve several clinics.
Saving a new cohort schedules its group sessions, as the clinician page does.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from recovery.models import Clinic, User

from . import cohorts as rules
from .models import Attendance, Cohort, CohortMembership, Occurrence, ProgramVersion

RelatedOnly = admin.RelatedOnlyFieldListFilter


def _own_clinic(qs: QuerySet, request: HttpRequest, path: str) -> QuerySet:
    return qs.filter(**{path: request.user.clinic_id})


class CohortMembershipInline(admin.TabularInline):
    model = CohortMembership
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
class CohortAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "start_date", "meeting_time", "capacity", "clinic")
    list_filter = ("version__program",)
    search_fields = ("name",)
    filter_horizontal = ("facilitators",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [CohortMembershipInline, OccurrenceInline]
    actions = ["schedule_sessions"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request).select_related("version__program", "clinic")
        return _own_clinic(qs, request, "clinic_id")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "clinic":
            kwargs["queryset"] = Clinic.objects.filter(pk=request.user.clinic_id)
            kwargs["initial"] = request.user.clinic_id
        if db_field.name == "version":
            # A cohort follows a frozen curriculum: drafts may still change under it.
            kwargs["queryset"] = ProgramVersion.objects.filter(
                status=ProgramVersion.Status.PUBLISHED
            ).select_related("program")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "facilitators":
            kwargs["queryset"] = User.objects.filter(
                clinic_id=request.user.clinic_id,
                role__in=(User.Role.CLINICIAN, User.Role.ADMIN),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

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
class CohortMembershipAdmin(admin.ModelAdmin):
    list_display = ("enrolment", "cohort", "joined_at")
    list_filter = (("cohort", RelatedOnly),)
    raw_id_fields = ("cohort", "enrolment")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request).select_related(
            "cohort", "enrolment__patient__patient_profile", "enrolment__version__program"
        )
        return _own_clinic(qs, request, "cohort__clinic_id")


@admin.register(Occurrence)
class OccurrenceAdmin(admin.ModelAdmin):
    list_display = ("session", "cohort", "starts_at", "duration_minutes", "location", "cancelled")
    list_filter = ("cancelled", ("cohort", RelatedOnly))
    date_hierarchy = "starts_at"
    readonly_fields = ("cohort", "session")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request).select_related("cohort", "session")
        return _own_clinic(qs, request, "cohort__clinic_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # generated from the cohort's version


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ("patient", "occurrence", "status", "recorded_by", "recorded_at")
    list_filter = ("status", ("occurrence__cohort", RelatedOnly))
    raw_id_fields = ("occurrence", "patient")
    readonly_fields = ("recorded_by", "recorded_at")
    search_fields = ("patient__email",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request).select_related(
            "patient__patient_profile", "occurrence__session", "recorded_by"
        )
        return _own_clinic(qs, request, "occurrence__cohort__clinic_id")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.recorded_by = request.user  # whoever saves the row is who recorded it
        super().save_model(request, obj, form, change)
