"""Care teams and how patients come in: invitations, and self-signed-up people waiting to join.

The care team is what clinicians.access reads: a clinician sees a patient iff they are on it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy


class CareTeamMember(models.Model):
    """One clinician on one patient's care team. At most one primary per patient (database)."""

    class Role(models.TextChoices):
        PRIMARY = "primary", gettext_lazy("Primary clinician")
        OTHER = "other", gettext_lazy("Care team")

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_team"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_of"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.OTHER)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "clinician"], name="uniq_care_team_member"),
            models.UniqueConstraint(
                fields=["patient"], condition=Q(role="primary"), name="one_primary_per_patient"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinician} ({self.get_role_display()}) for {self.patient}"


class Invitation(models.Model):
    """An email invitation to become a patient of `clinic`. Only a hash of the link's token is
    stored: a database dump cannot be turned into working links."""

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("Pending")
        ACCEPTED = "accepted", gettext_lazy("Accepted")
        EXPIRED = "expired", gettext_lazy("Expired")
        REVOKED = "revoked", gettext_lazy("Revoked")

    clinic = models.ForeignKey("recovery.Clinic", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    care_team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+",
        help_text=gettext_lazy("Clinicians joining the care team besides the inviting one (the primary)."),
    )
    program = models.ForeignKey(
        "programs.Program", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cohort = models.ForeignKey(
        "programs.Cohort", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # What accepting could not do (e.g. the screening gate kept them out of the cohort), in
    # words for the inviting clinician.
    outcome_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["clinic", "-created_at"])]

    def __str__(self) -> str:
        return f"Invitation of {self.email}"

    def status_at(self, now: Any = None) -> str:
        now = now or timezone.now()
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= now:
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def status(self) -> str:
        return self.status_at()

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)


class JoinRequest(models.Model):
    """A person who signed up on their own: a patient account of `clinic` that no clinician
    sees (and that has no programme) until a clinician of the clinic accepts it or invites
    them. Pending while `accepted_at` is empty."""

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_request"
    )
    clinic = models.ForeignKey("recovery.Clinic", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.patient} waiting to join {self.clinic}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None


from .models_visits import FollowUpVisit  # noqa: E402,F401  (follow-up visits: their own module)
