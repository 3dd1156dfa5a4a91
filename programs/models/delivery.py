"""How a curriculum reaches patients: enrolments and their pauses, screenings before a group,
cohorts with their occurrences and attendance. An enrolment changes only through
programs.enrolments; what it owes on a date is programs.schedule.plan_for."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .curricula import Program, ProgramVersion, Session


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    def open(self) -> EnrolmentQuerySet:
        """Enrolments still running: active or paused (the one spelling of "open")."""
        return self.filter(status__in=Enrolment.OPEN_STATUSES)


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", gettext_lazy("Active")
        PAUSED = "paused", gettext_lazy("Paused")
        COMPLETED = "completed", gettext_lazy("Completed")
        WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    # Denormalised from version so one active enrolment per programme is a DB constraint.
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="enrolments")
    version = models.ForeignKey(ProgramVersion, on_delete=models.PROTECT, related_name="enrolments")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="responsible_for",
        help_text=gettext_lazy("The responsible clinician."),
    )
    start_date = models.DateField(help_text=gettext_lazy("The patient's local date of day 1."))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    status_changed_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    OPEN_STATUSES = (Status.ACTIVE, Status.PAUSED)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "program"],
                condition=Q(status__in=["active", "paused"]),
                name="one_open_enrolment_per_program",
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient} in {self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.program_id = self.version.program_id
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class EnrolmentPause(models.Model):
    """A pause from `start` (inclusive) to `end` (exclusive; null while still paused)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="pauses")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start"]

    def __str__(self) -> str:
        return f"paused {self.start}–{self.end or '…'}"

    def days_before(self, day: dt.date) -> int:
        """Paused days that fall before `day`."""
        end = min(self.end or day, day)
        return max(0, (end - self.start).days)


class Screening(models.Model):
    """A clinician's decision that a patient may (or may not yet) join a group (seed 003)."""

    class Outcome(models.TextChoices):
        CLEARED = "cleared", gettext_lazy("Cleared for group")
        INDIVIDUAL_FIRST = "individual_first", gettext_lazy("Individual care first")

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="screenings"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="screenings")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="screenings_decided"
    )
    decided_on = models.DateField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.patient}: {self.get_outcome_display()} ({self.decided_on})"


class Cohort(models.Model):
    clinic = models.ForeignKey("recovery.Clinic", on_delete=models.PROTECT, related_name="cohorts")
    version = models.ForeignKey(ProgramVersion, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=200)
    facilitators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="facilitating")
    start_date = models.DateField(help_text=gettext_lazy("Day 1, in the clinic's time zone."))
    meeting_time = models.TimeField(default=dt.time(18, 0))
    capacity = models.PositiveSmallIntegerField(default=10)
    location = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return self.name


class CohortMembership(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="memberships")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cohort", "enrolment"], name="uniq_cohort_member")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.patient} in {self.cohort}"


class Occurrence(models.Model):
    """One meeting of a cohort, generated from a group session of its version."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="occurrences")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="occurrences")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField()
    location = models.CharField(max_length=200, blank=True)
    cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "session"], name="uniq_occurrence")
        ]

    def __str__(self) -> str:
        return f"{self.session.title} — {self.starts_at:%Y-%m-%d %H:%M}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", gettext_lazy("Present")
        ABSENT = "absent", gettext_lazy("Absent")
        EXCUSED = "excused", gettext_lazy("Excused")

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="attendance")
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(max_length=16, choices=Status.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "patient"], name="uniq_attendance")
        ]

    def __str__(self) -> str:
        return f"{self.patient} {self.status} at {self.occurrence}"
