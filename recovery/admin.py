from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AuditEvent, Clinic, ClinicianProfile, PatientProfile, User, WorkerHeartbeat


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "time_zone", "contact_email")
    prepopulated_fields = {"slug": ("name",)}


class PatientProfileInline(admin.StackedInline):
    model = PatientProfile
    can_delete = False


class ClinicianProfileInline(admin.StackedInline):
    model = ClinicianProfile
    can_delete = False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "role", "clinic", "is_active", "date_joined")
    list_filter = ("role", "clinic", "is_active")
    search_fields = ("email",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Role", {"fields": ("role", "clinic", "is_active")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "role", "clinic", "password1", "password2")}),
    )
    inlines = [PatientProfileInline, ClinicianProfileInline]

    def get_inlines(self, request, obj):  # type: ignore[no-untyped-def]
        if obj is None:
            return []
        if obj.is_patient:
            return [PatientProfileInline]
        if obj.is_clinician:
            return [ClinicianProfileInline]
        return []


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "patient", "path")
    list_filter = ("action",)
    search_fields = ("actor__email", "patient__email", "path")
    date_hierarchy = "at"

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


admin.site.register(WorkerHeartbeat)
