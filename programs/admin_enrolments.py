"""Admin for patients in programmes: enrolments (with their pauses) and screenings. Both hold
patient data, so both are clinic-scoped (recovery.access.ClinicScopedAdmin) and every look is
audited. An enrolment changes only through the engine (programs.enrolments): adding one calls
enrol(), and pause, resume, complete and withdraw are actions; the change form edits nothing
but the responsible clinician. Registered by admin.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from recovery.access import AuditedPatientAdmin
from recovery.http import AuthedHttpRequest
from recovery.models import User

from . import enrolments
from .models import Enrolment, EnrolmentPause, ProgramVersion, Screening


class AuditedAdmin(AuditedPatientAdmin):
    """Enrolments and screenings: scoped by their patient's clinic, every read audited."""


class EnrolmentForm(forms.ModelForm):
    class Meta:
        model = Enrolment
        fields = ("patient", "version", "clinician", "start_date")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # On change only the clinician is editable: the rest comes from the enrolment.
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
    """Pauses are written by the pause and resume actions only: shown, never edited here."""

    model = EnrolmentPause
    extra = 0
    fields = readonly_fields = ("start", "end", "reason")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


Change = Callable[[Enrolment, dt.date], Enrolment]


@admin.register(Enrolment)
class EnrolmentAdmin(AuditedAdmin):
    audit_action = "enrolment"
    clinic_lookup = "patient__clinic"
    user_roles = {"patient": (User.Role.PATIENT,), "clinician": (User.Role.CLINICIAN,)}
    form = EnrolmentForm
    list_display = ("patient", "program", "version", "clinician", "status", "start_date")
    list_filter = ("status", "program")
    list_select_related = ("patient", "program")
    search_fields = ("patient__email", "clinician__email")
    inlines = [EnrolmentPauseInline]
    actions = ["pause_today", "resume_today", "complete_today", "withdraw_today"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Enrolment]:
        return super().get_queryset(request).select_related(
            "patient", "program", "version__program",
            "patient__patient_profile", "clinician__clinician_profile",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        status = ("status", "status_changed_on", "completed_on", "withdrawn_on", "created_at")
        # Status and dates change through the actions (the engine); moving the start date or
        # the version would rewrite what the patient already did, so neither changes here.
        return status + ("patient", "version", "start_date") if obj is not None else status

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # withdraw instead: the patient's history stays whole

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "version":
            kwargs["queryset"] = ProgramVersion.objects.filter(
                status=ProgramVersion.Status.PUBLISHED
            ).select_related("program")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Enrolment, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)  # the clinician only
            return
        created = enrolments.enrol(obj.patient, obj.clinician, obj.start_date, version=obj.version)
        # The admin goes on with `obj` (its log entry, its redirect): make it the saved row.
        for f in Enrolment._meta.concrete_fields:
            setattr(obj, f.attname, getattr(created, f.attname))
        obj._state.adding, obj._state.db = False, created._state.db

    def _apply(
        self, request: AuthedHttpRequest, queryset: QuerySet[Enrolment], change: Change, done: str
    ) -> None:
        """Run one engine transition on each selected enrolment, on the patient's local today,
        and say for each what happened or why not."""
        for enrolment in queryset.select_related("patient", "program").order_by("pk"):
            name = f"{enrolment.patient} in “{enrolment.program}”"
            today = enrolment.patient.local_today()
            before = enrolment.status
            try:
                change(enrolment, today)
            except ValidationError as exc:
                messages.error(request, _("%(name)s: not %(done)s. %(details)s") % {"name": name, "done": _(done), "details": ' '.join(exc.messages)})
                continue
            if enrolment.status == before:
                messages.info(
                    request,
                    _("%(name)s: already %(status)s; nothing changed.") % {"name": name, "status": enrolment.get_status_display().lower()},
                )
            else:
                messages.success(request, _("%(name)s: %(done)s on %(today)s.") % {"name": name, "done": _(done), "today": date_format(today, "j F Y")})

    @admin.action(description="Pause today")
    def pause_today(self, request: AuthedHttpRequest, queryset: QuerySet[Enrolment]) -> None:
        self._apply(request, queryset, enrolments.pause, gettext_noop("paused"))

    @admin.action(description="Resume today")
    def resume_today(self, request: AuthedHttpRequest, queryset: QuerySet[Enrolment]) -> None:
        self._apply(request, queryset, enrolments.resume, gettext_noop("resumed"))

    @admin.action(description="Mark completed today")
    def complete_today(self, request: AuthedHttpRequest, queryset: QuerySet[Enrolment]) -> None:
        self._apply(request, queryset, enrolments.complete, gettext_noop("completed"))

    @admin.action(description="Withdraw today")
    def withdraw_today(self, request: AuthedHttpRequest, queryset: QuerySet[Enrolment]) -> None:
        self._apply(request, queryset, enrolments.withdraw, gettext_noop("withdrawn"))


@admin.register(Screening)
class ScreeningAdmin(AuditedAdmin):
    audit_action = "screening"
    clinic_lookup = "patient__clinic"
    user_roles = {"patient": (User.Role.PATIENT,), "decided_by": (User.Role.CLINICIAN,)}
    list_display = ("patient", "program", "outcome", "decided_on", "decided_by")
    list_filter = ("outcome", "program")
    search_fields = ("patient__email",)
    date_hierarchy = "decided_on"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Screening]:
        return super().get_queryset(request).select_related(
            "patient__patient_profile", "program", "decided_by__clinician_profile"
        )
