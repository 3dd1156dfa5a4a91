"""What every app shares: clinics, users and their roles, profiles, the audit trail."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_CLINIC_SLUG = "default"


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a time zone name such as Europe/London.") % {"value": value})


TIME_ZONE_CHOICES = sorted((tz, tz.replace("_", " ")) for tz in zoneinfo.available_timezones())


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    crisis_resources = models.TextField(
        blank=True,
        help_text=gettext_lazy("Shown to this clinic's patients wherever distress may come up."),
    )
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name

    @classmethod
    def default(cls) -> Clinic:
        clinic, _ = cls.objects.get_or_create(
            slug=DEFAULT_CLINIC_SLUG, defaults={"name": "Default clinic"}
        )
        return clinic


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("role", User.Role.PATIENT)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        """The deployment's operator (`manage.py createsuperuser`): the only superuser."""
        extra["role"] = User.Role.ADMIN
        extra["is_superuser"] = True
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        PATIENT = "patient", gettext_lazy("Patient")
        CLINICIAN = "clinician", gettext_lazy("Clinician")
        ADMIN = "admin", gettext_lazy("Admin")

    email = models.EmailField(unique=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PATIENT)
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, related_name="users"
    )
    is_active = models.BooleanField(default=True)  # type: ignore[assignment,misc]
    is_staff = models.BooleanField(default=False, editable=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Blank follows the browser (Accept-Language); a choice wins over it once signed in, and
    # emails and reminders are written in it (recovery.middleware, notifications.emails).
    language = models.CharField(
        gettext_lazy("language"), max_length=8, blank=True, choices=settings.LANGUAGES,
        help_text=gettext_lazy("Blank: follow the browser's language."),
    )

    # A new random value whenever anything recorded about this person changes (their check-ins,
    # entries, programmes, questionnaires, visits...: recovery.freshness). Cached pages are
    # keyed by it (recovery.page_cache): the user row is read on every request anyway, so a
    # page knows whether its cached copy is current without another query. Random, not a
    # counter, so a restored backup or a test's rolled-back ids never meet an old key.
    data_stamp = models.BigIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    class Meta:
        indexes = [models.Index(fields=["clinic", "role"])]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Admins are staff (the Django admin is their workspace); nobody else is. A clinic's
        # admin is not a superuser (recovery/permissions.py grants their models); only the
        # deployment's operator is, and an operator who stops being an admin stops being one.
        if self.clinic_id is None:
            self.clinic = Clinic.default()
        self.is_staff = self.role == self.Role.ADMIN
        if self.role != self.Role.ADMIN:
            self.is_superuser = False
        super().save(*args, **kwargs)

    @property
    def is_patient(self) -> bool:
        return self.role == self.Role.PATIENT

    @property
    def is_clinician(self) -> bool:
        return self.role == self.Role.CLINICIAN

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def needs_mfa(self) -> bool:
        """Clinicians and admins read health data: they must use a second factor."""
        return self.role in (self.Role.CLINICIAN, self.Role.ADMIN)

    @property
    def display_name(self) -> str:
        attr = "patient_profile" if self.is_patient else "clinician_profile"
        profile = getattr(self, attr, None) if self.role != self.Role.ADMIN else None
        if profile is not None and profile.display_name:
            return str(profile.display_name)
        return self.email

    @property
    def time_zone(self) -> str:
        profile = getattr(self, "patient_profile", None)
        if profile is not None:
            return str(profile.time_zone)
        return self.clinic.time_zone

    def local_now(self, at: dt.datetime | None = None) -> dt.datetime:
        """`at` (default: now) in this user's time zone."""
        return (at or timezone.now()).astimezone(zoneinfo.ZoneInfo(self.time_zone))

    def local_today(self, at: dt.datetime | None = None) -> dt.date:
        """The patient's "today" (at `at`, default now): their local date, never the server's."""
        return self.local_now(at).date()


class PatientProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="patient_profile")
    display_name = models.CharField(max_length=120, blank=True)
    time_zone = models.CharField(
        max_length=64, default="UTC", choices=TIME_ZONE_CHOICES, validators=[validate_time_zone]
    )
    reminder_time = models.TimeField(
        null=True, blank=True, help_text=gettext_lazy("Local time for a daily reminder; empty for none.")
    )
    # The patient's consent (My data) for their care team to print entries they shared in a
    # progress report; off until they turn it on. Sharing an entry alone does not consent to it.
    include_shared_entries_in_reports = models.BooleanField(
        default=False,
        help_text=gettext_lazy("Let the care team include the patient's shared entries in printed reports."),
    )
    # Set when the patient asks to delete their account; carried out after a grace period.
    deletion_requested_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.user.email

    @property
    def clinic(self) -> Clinic:
        return self.user.clinic


class ClinicianProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="clinician_profile")
    display_name = models.CharField(max_length=120, blank=True)
    title = models.CharField(max_length=120, blank=True, help_text=gettext_lazy("e.g. Physician, TMS therapist"))
    credentials = models.CharField(max_length=120, blank=True, help_text=gettext_lazy("e.g. MD, LCSW"))

    def __str__(self) -> str:
        return self.display_name or self.user.email

    @property
    def clinic(self) -> Clinic:
        return self.user.clinic


class AuditTrailIsAppendOnly(Exception):
    """Raised by any attempt to change or delete an audit event through the application."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Bulk writes refuse too: `update()` and `delete()` would bypass the model's refusal."""

    def update(self, **kwargs: Any) -> int:
        raise AuditTrailIsAppendOnly("Audit events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AuditTrailIsAppendOnly("Audit events cannot be changed.")


class AuditEvent(models.Model):
    """One read or change of patient data by staff. Append-only: the model refuses updates and
    deletes, and on PostgreSQL a trigger refuses them too (migration 0007).

    The people it names are kept as copies taken when it is written (`actor_email`,
    `actor_name`, `actor_role`) and as bare ids (`actor`, `patient`: no database constraint, no
    cascade), so deleting or anonymising a user never needs to rewrite a row. `event.actor`
    raises DoesNotExist once that user is gone; read the copies instead.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_events",
    )
    actor_email = models.EmailField(blank=True, help_text=gettext_lazy("The actor's address when it happened."))
    actor_name = models.CharField(max_length=120, blank=True)
    actor_role = models.CharField(max_length=16, choices=User.Role.choices, blank=True)
    patient = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_about",
    )
    # Whose clinic's record this is (the patient's, else the actor's), kept on the row itself so
    # a clinic's admin still finds it after the people it names are gone; set on write (save).
    clinic = models.ForeignKey(
        Clinic, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    action = models.CharField(max_length=64)
    path = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # The request's X-Request-ID (recovery.middleware.RequestIDMiddleware): ties the event to
    # the server's logs and to what the person saw.
    request_id = models.CharField(max_length=64, blank=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["patient", "-at"]),
            models.Index(fields=["clinic", "-at"], name="recovery_au_clinic_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email or 'system'} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditTrailIsAppendOnly("Audit events cannot be changed.")
        if self.clinic_id is None:
            self.clinic_id = clinic_of(self.patient) or clinic_of(self.actor)
        actor = self.actor
        if actor is not None and not self.actor_email:
            self.actor_email = actor.email
            self.actor_name = actor.display_name[:120]
            self.actor_role = actor.role
        kwargs["force_insert"] = True  # never an UPDATE, even for a row given an existing pk
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")


def clinic_of(user: User | None) -> int | None:
    return user.clinic_id if user is not None else None


class WorkerHeartbeat(models.Model):
    """Written by the beat-scheduled heartbeat task; /healthz reports its age."""

    name = models.CharField(max_length=64, primary_key=True)
    last_seen = models.DateTimeField()
    hostname = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.last_seen:%H:%M:%S}"


# The notification models live in their own module but belong to this app.
from .models_exports import ExportJob  # noqa: E402, F401
from .notifications.models import (  # noqa: E402, F401
    Notification,
    NotificationPreference,
    ReminderLedger,
)
