"""The admins' workspace for curricula: build a programme version with its weeks, sessions and
exercises, preview a day, compare versions, publish, and draft the next version. A published
(or retired) version is read-only here, inlines included. Cohorts are in admin_cohorts.py."""

from __future__ import annotations

import contextlib
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html

from recovery import audit
from recovery.models import User

from . import admin_views, enrolments
from .models import (
    Enrolment,
    EnrolmentPause,
    ExerciseTemplate,
    Program,
    ProgramVersion,
    Screening,
    Session,
    Week,
)

# --- programme versions and their content -----------------------------------------------------


class FrozenAwareInline(admin.StackedInline):
    """Content of a published version is shown read-only: no add, change or delete."""

    extra = 0

    def _editable(self, obj: ProgramVersion | None) -> bool:
        return obj is None or not obj.is_frozen

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


class WeekInline(FrozenAwareInline):
    model = Week
    fields = ("number", "title", "goals", "education")
    verbose_name_plural = "Weeks (numbered 1, 2, 3… without gaps)"


class SessionInline(FrozenAwareInline):
    model = Session
    fields = (
        ("title", "slug", "kind"),
        ("week", "day", "order", "duration_minutes"),
        "aims",
        "agenda",
        "placeholder",
    )
    prepopulated_fields = {"slug": ("title",)}
    verbose_name_plural = "Sessions (consultations, group sessions, retreat days)"


class ExerciseInline(FrozenAwareInline):
    model = ExerciseTemplate
    form = admin_views.ExerciseTemplateForm
    fields = (
        ("title", "slug", "kind"),
        ("order", "estimated_minutes"),
        "instructions",
        "prompt",
        ("media_file", "media_url"),
        "weeks",
        ("cadence", "times_per_week", "once_week", "once_day"),
        "weekdays",
        "rest_days",
        "placeholder",
    )
    prepopulated_fields = {"slug": ("title",)}
    verbose_name_plural = "Exercises (what the patient practises between sessions)"


class ProgramVersionForm(forms.ModelForm):
    class Meta:
        model = ProgramVersion
        fields = ("program", "title", "description", "source", "changelog")


@admin.register(ProgramVersion)
class ProgramVersionAdmin(admin.ModelAdmin):
    form = ProgramVersionForm
    list_display = ("__str__", "program", "number", "status", "week_count", "published_at")
    list_filter = ("status", "program")
    list_select_related = ("program",)
    search_fields = ("title", "program__title", "program__slug")
    ordering = ("program__title", "-number")
    inlines = [WeekInline, SessionInline, ExerciseInline]
    actions = ["publish_versions", "draft_from_versions"]
    change_form_template = "admin/programs/programversion/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProgramVersion]:
        return super().get_queryset(request).prefetch_related("weeks")

    @admin.display(description="Weeks")
    def week_count(self, obj: ProgramVersion) -> int:
        return len(obj.weeks.all())

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = ("number", "status", "published_at", "created_at")
        # A draft stays in its programme: its number is unique within it.
        return fields + ("program",) if obj is not None else fields

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"program": request.GET.get("program")}

    def save_model(self, request: HttpRequest, obj: ProgramVersion, form: Any, change: bool) -> None:
        if not change:
            top = obj.program.versions.aggregate(m=Max("number"))["m"] or 0
            obj.number, obj.status = top + 1, ProgramVersion.Status.DRAFT
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_frozen:
            return False  # shown read-only; a POST is refused with 403
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        # Bulk delete would hit frozen versions; drafts are deleted from their own page.
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Publish")
    def publish_versions(self, request: HttpRequest, queryset: QuerySet[ProgramVersion]) -> None:
        for version in queryset.select_related("program").order_by("program", "number"):
            admin_views.publish_with_messages(request, version)

    @admin.action(description="New draft from this version")
    def draft_from_versions(
        self, request: HttpRequest, queryset: QuerySet[ProgramVersion]
    ) -> None:
        for version in queryset.select_related("program"):
            admin_views.draft_with_messages(request, version)

    def get_urls(self) -> list[Any]:
        def wrap(view: Any) -> Any:
            def call(request: HttpRequest, pk: int) -> HttpResponse:
                return view(self, request, pk)

            return self.admin_site.admin_view(call)

        return [
            path("<int:pk>/preview/", wrap(admin_views.preview),
                 name="programs_programversion_preview"),
            path("<int:pk>/compare/", wrap(admin_views.compare),
                 name="programs_programversion_compare"),
            path("<int:pk>/publish/", wrap(admin_views.publish_button),
                 name="programs_programversion_publish"),
            path("<int:pk>/new-draft/", wrap(admin_views.draft_button),
                 name="programs_programversion_new_draft"),
            *super().get_urls(),
        ]


class VersionInline(admin.TabularInline):
    model = ProgramVersion
    fields = ("number", "status", "title", "published_at")
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False
    ordering = ("-number",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "is_group", "requires_screening", "published_version")
    list_filter = ("is_group", "requires_screening")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("add_version",)
    inlines = [VersionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Program]:
        return super().get_queryset(request).prefetch_related("versions")

    @admin.display(description="Published version")
    def published_version(self, obj: Program) -> str:
        published = [v for v in obj.versions.all() if v.status == ProgramVersion.Status.PUBLISHED]
        return f"v{published[0].number}" if published else "none"

    @admin.display(description="Versions")
    def add_version(self, obj: Program) -> str:
        if obj.pk is None:
            return "Save the programme, then add its first version."
        url = reverse("admin:programs_programversion_add") + f"?program={obj.pk}"
        return format_html('<a href="{}">Add a version</a>', url)


# --- patients in programmes (clinic-scoped, audited) -------------------------------------------


class ClinicScopedAdmin(admin.ModelAdmin):
    """Enrolments and screenings of the admin's own clinic only; every look is audited."""

    audit_action = ""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return (
            super()
            .get_queryset(request)
            .filter(patient__clinic_id=request.user.clinic_id)
            .select_related("patient", "program")
        )

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.remote_field.model is User:
            kwargs["queryset"] = User.objects.filter(clinic_id=request.user.clinic_id).order_by(
                "email"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        audit.record(request, f"admin_list_{self.audit_action}")
        return super().changelist_view(request, extra_context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)
        if obj is not None:
            audit.record(request, f"admin_view_{self.audit_action}", patient=obj.patient)
        return super().change_view(request, object_id, form_url, extra_context)


class EnrolmentForm(forms.ModelForm):
    class Meta:
        model = Enrolment
        fields = ("patient", "version", "clinician", "start_date")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # On change, patient and version are read-only: take them from the enrolment.
        patient, clinician, version = (
            data.get(k) or getattr(self.instance, k, None) if self.instance.pk else data.get(k)
            for k in ("patient", "clinician", "version")
        )
        if patient and clinician and version and (self.instance.pk is None or self.has_changed()):
            problems = enrolments.enrolment_problems(
                patient, clinician, version, exclude=self.instance
            )
            if self.instance.pk:
                # An existing enrolment keeps its version even after a newer one is published.
                problems = [p for p in problems if "only be enrolled" not in p]
            if problems:
                raise forms.ValidationError(problems)
        return data


class EnrolmentPauseInline(admin.TabularInline):
    model = EnrolmentPause
    extra = 0
    fields = ("start", "end", "reason")


@admin.register(Enrolment)
class EnrolmentAdmin(ClinicScopedAdmin):
    audit_action = "enrolment"
    form = EnrolmentForm
    list_display = ("patient", "program", "version", "clinician", "status", "start_date")
    list_filter = ("status", "program")
    search_fields = ("patient__email", "clinician__email")
    inlines = [EnrolmentPauseInline]
    actions = ["complete_today", "withdraw_today"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related(
            "version__program", "patient__patient_profile", "clinician__clinician_profile"
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        status = ("status", "status_changed_on", "completed_on", "withdrawn_on", "created_at")
        # Status changes go through the actions (services); the version never changes.
        return status + ("patient", "version") if obj is not None else status

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "version":
            kwargs["queryset"] = ProgramVersion.objects.filter(
                status=ProgramVersion.Status.PUBLISHED
            ).select_related("program")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _finish(self, request: HttpRequest, queryset: QuerySet[Enrolment], end: Any) -> None:
        for enrolment in queryset.select_related("patient"):
            try:
                end(enrolment, enrolment.patient.local_today())
            except ValidationError as exc:
                messages.error(request, f"{enrolment}: {' '.join(exc.messages)}")

    @admin.action(description="Mark completed today")
    def complete_today(self, request: HttpRequest, queryset: QuerySet[Enrolment]) -> None:
        self._finish(request, queryset, enrolments.complete)

    @admin.action(description="Withdraw today")
    def withdraw_today(self, request: HttpRequest, queryset: QuerySet[Enrolment]) -> None:
        self._finish(request, queryset, enrolments.withdraw)


@admin.register(Screening)
class ScreeningAdmin(ClinicScopedAdmin):
    audit_action = "screening"
    list_display = ("patient", "program", "outcome", "decided_on", "decided_by")
    list_filter = ("outcome", "program")
    search_fields = ("patient__email",)
    date_hierarchy = "decided_on"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related(
            "patient__patient_profile", "decided_by__clinician_profile"
        )


# The cohort admin lives in its own module (another area of work); register it with the rest.
with contextlib.suppress(ImportError):
    from . import admin_cohorts  # noqa: F401
