"""Admin for questionnaires: instrument versions are read-only (data loaded from
outcomes/instruments by `manage.py load_instruments`), apart from the switch that offers a
version to patients; responses and safety alerts stay inside the admin's clinic and every look
at them is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from programs.admin import FrozenAwareInline
from programs.models import ProgramVersion
from recovery.access import AuditedPatientAdmin
from recovery.admin_a11y import NamedCellsMixin
from recovery.permissions import ACTIONS, grant_clinic_admin

from .models import (
    Instrument,
    InstrumentVersion,
    QuestionnaireResponse,
    QuestionnaireSchedule,
    SafetyAlert,
)


class VersionInline(admin.TabularInline):
    model = InstrumentVersion
    extra = 0
    fields = ("number", "title", "status", "enabled", "licence_status", "placeholder_text")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ("code", "title")
    readonly_fields = ("code",)
    inlines = [VersionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # instruments come from definition files, with their scoring rule

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(admin.ModelAdmin):
    list_display = ("instrument", "number", "status", "enabled", "licence_status")
    list_filter = ("status", "enabled", "licence_status")
    fields = (
        "instrument", "number", "title", "status", "enabled", "licence_about", "licence_status",
        "licence", "citation", "language", "recall_period", "instructions", "item_list",
        "loinc_panel", "loinc_total", "published_at",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        locked = [f for f in self.fields if f != "enabled"]
        if obj is not None and obj.placeholder_text:
            locked.append("enabled")  # placeholder wording is never shown to patients
        return locked

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="About its licence")
    def licence_about(self, obj: InstrumentVersion) -> str:
        if not obj.licence_note:
            return "Free to use: no licence is needed."
        return format_html(
            '<strong>{}</strong><p style="white-space: pre-line">{}</p>',
            "Disabled because its licence is unclear." if obj.placeholder_text else "",
            obj.licence_note,
        )

    @admin.display(description="Items")
    def item_list(self, obj: InstrumentVersion) -> str:
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "",
                "<li>{} <small>({})</small></li>",
                (
                    (item["text"], ", ".join(f"{o['value']} {o['label']}".strip()
                                            for o in item["options"]))
                    for item in obj.items
                ),
            ),
        )

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        hidden = InstrumentVersion.objects.filter(placeholder_text=True).select_related("instrument")
        if hidden:
            messages.info(
                request,
                _("Disabled because their licence is unclear (open one for how a clinic "
                  "enables it): %(versions)s") % {"versions": ", ".join(str(v) for v in hidden)},
            )
        return super().changelist_view(request, extra_context)


class AuditedAdmin(AuditedPatientAdmin):
    """Every list and change page of these patient rows is written to the audit trail."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # patients answer; nobody writes answers for them here

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(QuestionnaireResponse)
class QuestionnaireResponseAdmin(AuditedAdmin):
    audit_action = "questionnaire_response"
    list_display = ("patient", "version", "local_date", "status", "score", "band", "safety")
    list_filter = ("status", "safety", "version__instrument")
    search_fields = ("patient__email",)
    date_hierarchy = "local_date"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [f.name for f in QuestionnaireResponse._meta.concrete_fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("patient", "version__instrument")


@admin.register(SafetyAlert)
class SafetyAlertAdmin(AuditedAdmin):
    audit_action = "safety_alert"
    list_display = ("patient", "reason", "opened_at", "acknowledged_at", "acknowledged_by")
    list_filter = ("acknowledged_at",)
    search_fields = ("patient__email",)
    fields = (
        "patient", "response", "reason", "opened_at", "acknowledged_by", "acknowledged_at",
        "acknowledgement_note",
    )
    readonly_fields = (
        "patient", "response", "reason", "opened_at", "acknowledged_by", "acknowledged_at",
    )
    actions = ["acknowledge"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("patient", "acknowledged_by")

    def save_model(self, request: HttpRequest, obj: SafetyAlert, form: Any, change: bool) -> None:
        # Writing a note acknowledges the alert, by whoever wrote it.
        if obj.is_open and obj.acknowledgement_note:
            obj.acknowledged_by = request.user  # type: ignore[assignment]
            obj.acknowledged_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.action(description="Acknowledge the selected alerts")
    def acknowledge(self, request: HttpRequest, queryset: QuerySet[SafetyAlert]) -> None:
        for alert in queryset:
            alert.acknowledge(request.user)


# --- the questionnaire schedule, inline on the programme version's admin ------------------------


class QuestionnaireScheduleInline(NamedCellsMixin, FrozenAwareInline):
    """Edited with the version's other content, frozen with it (programs can't import outcomes,
    so outcomes adds this inline to programs' ProgramVersionAdmin below)."""

    model = QuestionnaireSchedule
    template = "admin/edit_inline/tabular.html"
    fields = ("instrument", "when", "week", "months", "window_days")
    verbose_name = "questionnaire"
    verbose_name_plural = "Questionnaire schedule"

    @staticmethod
    def _on_add_page(request: HttpRequest) -> bool:
        # Edited once the version exists: the add form stays the programme's own.
        match = request.resolver_match
        return bool(match and str(match.url_name).endswith("_add"))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._on_add_page(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._on_add_page(request) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._on_add_page(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._on_add_page(request) and super().has_delete_permission(request, obj)


def _add_schedule_inline() -> None:
    version_admin = admin.site._registry.get(ProgramVersion)
    if version_admin is not None and QuestionnaireScheduleInline not in version_admin.inlines:
        admin_class = type(version_admin)  # programs' ProgramVersionAdmin
        admin_class.inlines = [*admin_class.inlines, QuestionnaireScheduleInline]


_add_schedule_inline()


# A clinic's admin reads responses and alerts of their clinic and acknowledges alerts, sets
# the questionnaire schedule of a draft programme version, and switches instrument versions on
# or off after recording a licence (issue 8; still deployment-wide, see docs/security.md).
grant_clinic_admin(Instrument, "view", "change")
grant_clinic_admin(InstrumentVersion, "view", "change")
grant_clinic_admin(QuestionnaireSchedule, *ACTIONS)
grant_clinic_admin(QuestionnaireResponse, "view", "change")
grant_clinic_admin(SafetyAlert, "view", "change")
