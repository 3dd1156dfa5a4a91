"""The reminder ledger, in-app notifications and each person's notification preferences.

Imported by recovery/models.py, so these are models of the `recovery` app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class ReminderLedger(models.Model):
    """One reminder for one person, written *before* anything is sent. The unique key
    (recipient, kind, slot) is what makes a reminder go out at most once, whatever retries,
    restarts or overlapping dispatcher runs occur."""

    class Status(models.TextChoices):
        QUEUED = "queued", gettext_lazy("Queued")
        SENDING = "sending", gettext_lazy("Sending")
        SENT = "sent", gettext_lazy("Sent")
        FAILED = "failed", gettext_lazy("Failed")
        SKIPPED = "skipped", gettext_lazy("Skipped")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=40)
    # What the reminder is about: the recipient's local date, or e.g. "occurrence-12-24h".
    slot = models.CharField(max_length=64)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(max_length=200, blank=True)
    # Not clinical: what the message needs (a session's time, a count), shown in the admin.
    context = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # Last enqueue, claim or release: a row untouched for a lease is handed out again.
    touched_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The dispatcher run that inserted the row: it enqueues exactly the rows it created.
    batch = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "slot"], name="one_reminder_per_slot"
            )
        ]
        indexes = [models.Index(fields=["status", "touched_at"], name="reminder_status_touched")]

    def __str__(self) -> str:
        return f"{self.kind} {self.slot} for {self.recipient_id}: {self.status}"


class Notification(models.Model):
    """What the bell counts: one in-app message for one person."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # At most one in-app message per ledger row, however often its task is redelivered.
    ledger = models.OneToOneField(
        ReminderLedger, null=True, blank=True, on_delete=models.CASCADE, related_name="notification"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """Which reminders a person gets. No row means the defaults: every kind, every day."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    muted_kinds = models.JSONField(default=list, blank=True)
    # Local weekdays with no reminders, 0 = Monday.
    quiet_weekdays = models.JSONField(default=list, blank=True)
    paused = models.BooleanField(default=False, help_text=gettext_lazy("No reminders at all until unpaused."))
    # Clinicians: the local weekday of the caseload digest, 0 = Monday.
    digest_weekday = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"

    @classmethod
    def for_user(cls, user_id: int) -> NotificationPreference:
        """The person's preferences, or unsaved defaults."""
        return cls.objects.filter(user_id=user_id).first() or cls(user_id=user_id)
