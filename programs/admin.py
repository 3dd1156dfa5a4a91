"""The admins' workspace for curricula: build a programme version with its weeks, sessions and
exercises, preview a day, compare versions, publish, and draft the next version. A published
(or retired) version is read-only here, inlines included.

Programmes and their versions are deployment-wide curricula, shared by every clinic of the
deployment and holding no patient data, so these admins are deliberately not clinic-scoped.
Enrolments and screenings are in admin_enrolments.py, cohorts in admin_cohorts.py (both
clinic-scoped)."""

from __future__ import annotations

import contextlib
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html

from recovery.http import AuthedHttpRequest

from . import admin_enrolments, admin_views  # noqa: F401 - admin_enrolments registers its admins
from .models import ExerciseTemplate, Program, ProgramVersion, Session, Week

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
    fields = ("number", "title", "goals", "education", "translations")
    verbose_name_plural = "Weeks (numbered 1, 2, 3… without gaps)"


class SessionInline(FrozenAwareInline):
    model = Session
    fields = (
        ("title", "slug", "kind"),
        ("week", "day", "order", "duration_minutes"),
        "aims",
        "agenda",
        "placeholder",
        "translations",
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
        "translations",
    )
    prepopulated_fields = {"slug": ("title",)}
    verbose_name_plural = "Exercises (what the patient practises between sessions)"


class ProgramVersionForm(forms.ModelForm):
    class Meta:
        model = ProgramVersion
        fields = ("program", "title", "description", "source", "changelog", "translations")


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

    @admin.action(description="Publish…")
    def publish_versions(
        self, request: AuthedHttpRequest, queryset: QuerySet[ProgramVersion]
    ) -> HttpResponse | None:
        chosen = list(queryset.select_related("program").order_by("program", "number"))
        if request.POST.get("confirm") != "yes":
            # First what would freeze and what it retires; publishing waits for a confirmation.
            return admin_views.publish_confirmation(self, request, chosen,
                                                    action="publish_versions")
        for version in chosen:
            admin_views.publish_with_messages(request, version)
        return None

    @admin.action(description="New draft from this version")
    def draft_from_versions(
        self, request: AuthedHttpRequest, queryset: QuerySet[ProgramVersion]
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


# The cohort admin lives in its own module (another area of work); register it with the rest.
with contextlib.suppress(ImportError):
    from . import admin_cohorts  # noqa: F401


def _grant_clinic_admins() -> None:
    """Clinic admins build, version and publish curricula and manage their cohorts and
    enrolments (recovery/permissions.py): every model of this app; the admins above narrow it
    (frozen versions read-only, enrolments changed only through the engine's actions, rows
    scoped to the admin's clinic)."""
    from django.apps import apps

    from recovery.permissions import ACTIONS, grant_clinic_admin

    for model in apps.get_app_config("programs").get_models():
        grant_clinic_admin(model, *ACTIONS)


_grant_clinic_admins()
