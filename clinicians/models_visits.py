"""Follow-up visits: the consultation a clinician holds with a patient some weeks into a
programme (seed 002: an initial consultation, then a follow-up at 3-4 weeks), and the
structured notes taken there. Visit notes are staff data: the patient does not read or export
them, and they stay with the clinic when the patient deletes their account (recovery.deletion).
The rules (suggesting a date, scheduling without duplicates, recording) are clinicians.visits'.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from recovery.crypto import EncryptedTextField


class FollowUpVisit(models.Model):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", gettext_lazy("In person")
        PHONE = "phone", gettext_lazy("Phone")
        VIDEO = "video", gettext_lazy("Video")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", gettext_lazy("Scheduled")
        DONE = "done", gettext_lazy("Done")
        MISSED = "missed", gettext_lazy("Missed")
        CANCELLED = "cancelled", gettext_lazy("Cancelled")

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follow_up_visits"
    )
    # Who holds the visit; kept (as nobody) if that clinician's account goes.
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="visits_held",
    )
    scheduled_for = models.DateTimeField(help_text=gettext_lazy("When the visit starts (stored in UTC)."))
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.IN_PERSON)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    # The notes are encrypted at rest (recovery.crypto); dates, mode and status stay plain.
    summary = EncryptedTextField(blank=True, help_text=gettext_lazy("How the patient is doing, in brief."))
    discussed = EncryptedTextField(blank=True, help_text=gettext_lazy("What was discussed."))
    plan = EncryptedTextField(blank=True, help_text=gettext_lazy("What happens next."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-scheduled_for"]
        indexes = [models.Index(fields=["patient", "status", "scheduled_for"])]
        constraints = [
            # A double-clicked "Schedule" books one visit, even when the two posts race.
            models.UniqueConstraint(
                fields=["patient", "scheduled_for"],
                condition=~Q(status="cancelled"),
                name="one_visit_per_patient_and_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Follow-up of {self.patient} on {self.scheduled_for:%Y-%m-%d %H:%M}"

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.SCHEDULED

    @property
    def has_notes(self) -> bool:
        return bool(self.summary or self.discussed or self.plan)
