"""The reminder ledger in the admin: what was sent, failed or skipped, and why. Read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ..access import ClinicScopedAdmin
from ..permissions import grant_clinic_admin
from .models import ReminderLedger


@admin.register(ReminderLedger)
class ReminderLedgerAdmin(ClinicScopedAdmin):
    clinic_lookup = "recipient__clinic"
    list_display = ("due_at", "kind", "recipient", "slot", "status", "reason", "attempts",
                    "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("recipient__email", "slot", "reason")
    date_hierarchy = "due_at"
    list_select_related = ("recipient",)
    readonly_fields = ("recipient", "kind", "slot", "due_at", "status", "reason", "context",
                       "attempts", "created_at", "touched_at", "sent_at")
    exclude = ("batch",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


grant_clinic_admin(ReminderLedger, "view")
