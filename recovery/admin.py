"""The core's admin: every page an admin opens stays inside their own clinic (recovery.access),
allauth's email addresses and authenticators included; an authenticator's secret is never shown."""

from __future__ import annotations

import re
from typing import Any

from allauth.account.admin import EmailAddressAdmin as BaseEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .access import AuditedAdminMixin, ClinicScopedAdmin, ClinicScopedMixin
from .models import AuditEvent, Clinic, ClinicianProfile, PatientProfile, User, WorkerHeartbeat
from .permissions import ACTIONS, grant_clinic_admin

# A phone number as people write one: digits, spaces, + ( ) . / - and an extension. It is
# printed in a tel: link on the flare and crisis pages, so anything else is refused here.
PHONE = re.compile(r"\+?[0-9(][0-9 ()./-]*(\s*(x|ext\.?)\s*[0-9]+)?", re.IGNORECASE)


class ClinicAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Clinic
        fields = ("name", "slug", "time_zone", "crisis_resources", "contact_email",
                  "contact_phone", "address")

    def clean_contact_phone(self) -> str:
        phone = self.cleaned_data["contact_phone"].strip()
        if phone and not PHONE.fullmatch(phone):
            raise forms.ValidationError(
                _("Enter a phone number: digits, spaces, + ( ) - and an extension (x 12)."))
        return phone


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """An admin sees and edits their own clinic only. New clinics are an operator's job
    (a deployment's shell), not one clinic's admin's."""

    form = ClinicAdminForm
    list_display = ("name", "slug", "time_zone", "contact_email")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Clinic]:
        clinic_id = getattr(request.user, "clinic_id", None)
        qs = super().get_queryset(request)
        return qs.filter(pk=clinic_id) if clinic_id is not None else qs.none()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Clinic | None = None) -> bool:
        return False


class PatientProfileInline(admin.StackedInline):  # type: ignore[type-arg]
    model = PatientProfile
    can_delete = False


class ClinicianProfileInline(admin.StackedInline):  # type: ignore[type-arg]
    model = ClinicianProfile
    can_delete = False


@admin.register(User)
class UserAdmin(AuditedAdminMixin, ClinicScopedMixin, BaseUserAdmin):  # type: ignore[type-arg]
    ordering = ("email",)
    list_display = ("email", "role", "clinic", "is_active", "date_joined")
    # No clinic filter: it would list every clinic's name.
    list_filter = ("role", "is_active")
    search_fields = ("email",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Role", {"fields": ("role", "clinic", "is_active", "language")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "role", "clinic", "password1", "password2")}),
    )
    inlines = [PatientProfileInline, ClinicianProfileInline]

    def get_inlines(self, request: HttpRequest, obj: User | None) -> list[Any]:
        if obj is None:
            return []
        if obj.is_patient:
            return [PatientProfileInline]
        if obj.is_clinician:
            return [ClinicianProfileInline]
        return []


class AuditActorFilter(admin.SimpleListFilter):
    """By actor, from the copies on the rows this admin may see: neither another clinic's
    staff (a related-field filter would list every user) nor a query per deleted user."""

    title = "actor"
    parameter_name = "actor"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        rows = (
            model_admin.get_queryset(request)
            .exclude(actor_id=None)
            .order_by("actor_email")
            .values_list("actor_id", "actor_email")
            .distinct()
        )
        return [(str(pk), email) for pk, email in rows]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(actor_id=int(value))
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ClinicScopedAdmin):
    """The clinic's own trail (events about its patients or by its staff), read-only: nothing
    rewrites it (the model and, on PostgreSQL, a trigger refuse too). Who did it is shown from
    the copy kept on the row, so it survives the person's account."""

    clinic_lookup = "clinic"
    list_display = ("at", "actor_email", "actor_role", "action", "patient_label", "ip", "request_id")
    list_filter = ("action", AuditActorFilter, "actor_role", ("at", admin.DateFieldListFilter))
    search_fields = (
        "patient__email", "patient__patient_profile__display_name", "actor_email", "request_id",
    )
    search_help_text = "Search by the patient's email or name, the actor's email, or a request id."
    date_hierarchy = "at"
    list_select_related = ("patient__patient_profile",)
    readonly_fields = (
        "at", "actor_email", "actor_name", "actor_role", "actor_id", "patient_label", "action",
        "path", "detail", "ip", "request_id",
    )
    fields = readonly_fields

    @admin.display(description="patient")
    def patient_label(self, obj: AuditEvent) -> str:
        if obj.patient_id is None:
            return "-"
        try:
            return f"{obj.patient.display_name} ({obj.patient.email})"  # type: ignore[union-attr]
        except User.DoesNotExist:
            return f"deleted account #{obj.patient_id}"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.register(WorkerHeartbeat)


# --- allauth's models, re-registered clinic-scoped ------------------------------------------

for model in (EmailAddress, Authenticator):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(EmailAddress)
class EmailAddressAdmin(AuditedAdminMixin, ClinicScopedMixin, BaseEmailAddressAdmin):
    clinic_lookup = "user__clinic"


@admin.register(Authenticator)
class AuthenticatorAdmin(AuditedAdminMixin, ClinicScopedAdmin):
    """Which second factors a user has, never their secrets (`data` holds the TOTP secret and
    recovery codes). Read-only; deleting one is how an admin resets a lost phone."""

    clinic_lookup = "user__clinic"
    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields
    exclude = ("data",)
    search_fields = ("user__email",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# What a clinic's admin may do here (recovery/permissions.py); the admins above narrow it to
# their clinic. Workers' heartbeats, groups and sessions stay the deployment operator's.
grant_clinic_admin(User, *ACTIONS)
grant_clinic_admin(PatientProfile, "view", "add", "change")
grant_clinic_admin(ClinicianProfile, "view", "add", "change")
grant_clinic_admin(Clinic, "view", "change")
grant_clinic_admin(AuditEvent, "view")
grant_clinic_admin(EmailAddress, *ACTIONS)
grant_clinic_admin(Authenticator, "view", "delete")
