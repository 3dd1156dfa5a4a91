"""Cohorts of group programmes: their meetings (occurrences), who joins, who attended.

Rules live here as plain functions; views and the admin call them. Times are stored in UTC and
computed from the cohort's start date and meeting time in the *clinic's* time zone, so a
meeting at 18:00 stays at 18:00 local on both sides of a daylight-saving change.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from recovery.models import User

from .models import (
    Attendance,
    Cohort,
    CohortMembership,
    Enrolment,
    Occurrence,
    Program,
    Screening,
    Session,
)

GROUP_KINDS = (Session.Kind.GROUP, Session.Kind.RETREAT)


# --- who may see and run a cohort -------------------------------------------------------


def cohorts_for(user: User) -> QuerySet[Cohort]:
    """Cohorts `user` runs: those they facilitate; an admin, every cohort of their clinic."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    base = Cohort.objects.filter(clinic_id=user.clinic_id)
    if user.is_admin:
        return base
    if user.is_clinician:
        return base.filter(facilitators=user)
    return Cohort.objects.none()


def can_run(cohort: Cohort, user: User) -> bool:
    if not user.is_authenticated or user.clinic_id != cohort.clinic_id:
        return False
    if user.is_admin:
        return True
    return user.is_clinician and cohort.facilitators.filter(pk=user.pk).exists()


# --- occurrences ------------------------------------------------------------------------


def clinic_zone(cohort: Cohort) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(cohort.clinic.time_zone)


def session_date(cohort: Cohort, session: Session) -> dt.date:
    """Programme week/day counted from the cohort's start date (week 1, day 1 = start_date)."""
    return cohort.start_date + dt.timedelta(days=(session.week - 1) * 7 + (session.day - 1))


def to_utc(local: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """A wall-clock time in `zone` as an aware UTC datetime. A time that does not exist
    (skipped by a spring-forward) resolves with the offset in force before the change."""
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone)
    return local.astimezone(dt.UTC)


def planned_start(cohort: Cohort, session: Session) -> dt.datetime:
    local = dt.datetime.combine(session_date(cohort, session), cohort.meeting_time)
    return to_utc(local, clinic_zone(cohort))


def generate_occurrences(cohort: Cohort) -> list[Occurrence]:
    """One occurrence per group or retreat session of the cohort's version.

    Idempotent: an existing occurrence (perhaps moved or cancelled by a facilitator) is left
    exactly as it is; only missing ones are created. Returns the whole schedule, in order.
    """
    sessions = Session.objects.filter(version_id=cohort.version_id, kind__in=GROUP_KINDS)
    have = set(Occurrence.objects.filter(cohort=cohort).values_list("session_id", flat=True))
    for session in sessions:
        if session.pk in have:
            continue
        try:
            # A savepoint, so losing a race with a concurrent run doesn't spoil the caller's
            # transaction; the unique (cohort, session) constraint keeps one row.
            with transaction.atomic():
                Occurrence.objects.create(
                    cohort=cohort,
                    session=session,
                    starts_at=planned_start(cohort, session),
                    duration_minutes=session.duration_minutes,
                    location=cohort.location,
                )
        except IntegrityError:
            continue
    return list(
        Occurrence.objects.filter(cohort=cohort).select_related("session").order_by("starts_at")
    )


def move_occurrence(
    occurrence: Occurrence, when: dt.datetime, location: str | None = None
) -> Occurrence:
    """Move a meeting. A naive `when` is wall-clock time in the clinic's time zone; an aware
    one is taken as it is. `location` None keeps the current place."""
    zone = clinic_zone(occurrence.cohort)
    occurrence.starts_at = to_utc(when, zone)
    fields = ["starts_at"]
    if location is not None:
        occurrence.location = location.strip()
        fields.append("location")
    occurrence.save(update_fields=fields)
    return occurrence


def cancel_occurrence(occurrence: Occurrence, cancelled: bool = True) -> Occurrence:
    """Cancel a meeting (or, with cancelled=False, put it back on). Attendance is kept."""
    if occurrence.cancelled != cancelled:
        occurrence.cancelled = cancelled
        occurrence.save(update_fields=["cancelled"])
    return occurrence


def local_start(occurrence: Occurrence) -> dt.datetime:
    return occurrence.starts_at.astimezone(clinic_zone(occurrence.cohort))


# --- screening and joining --------------------------------------------------------------


def record_screening(
    patient: User,
    program: Program,
    decided_by: User,
    decided_on: dt.date,
    outcome: str,
    reason: str,
) -> Screening:
    """A clinician's decision that a patient may join a group now, or needs individual care
    first (seed 003: severe depression or suicidal thoughts). The reason is always written."""
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Write the reason for this decision."
    if outcome not in Screening.Outcome.values:
        errors["outcome"] = "Choose “Cleared for group” or “Individual care first”."
    if decided_on is None:
        errors["decided_on"] = "Give the date of the decision."
    elif decided_on > decided_by.local_today():
        errors["decided_on"] = "A screening decision cannot be dated in the future."
    if not patient.is_patient or patient.clinic_id != decided_by.clinic_id:
        errors["patient"] = "This patient is not one of your clinic's patients."
    if not (decided_by.is_clinician or decided_by.is_admin):
        errors["decided_by"] = "Only a clinician can record a screening decision."
    if errors:
        raise ValidationError(errors)
    return Screening.objects.create(
        patient=patient,
        program=program,
        decided_by=decided_by,
        decided_on=decided_on,
        outcome=outcome,
        reason=reason,
    )


def latest_screening(patient: User, program: Program) -> Screening | None:
    return (
        Screening.objects.filter(patient=patient, program=program)
        .order_by("-decided_on", "-created_at", "-pk")
        .first()
    )


def screening_refusal(patient: User, program: Program) -> str | None:
    """Why the screening gate stops this patient joining a group of `program`, or None."""
    if not program.requires_screening:
        return None
    return gate_message(patient, program, latest_screening(patient, program))


def gate_message(patient: User, program: Program, latest: Screening | None) -> str | None:
    """The gate itself, given the patient's latest screening (so pages can batch the reads)."""
    if not program.requires_screening:
        return None
    name = patient.display_name
    if latest is None:
        return (
            f"{name} has not been screened for the {program.title} yet. Record a screening "
            "decision before they join a group."
        )
    if latest.outcome == Screening.Outcome.INDIVIDUAL_FIRST:
        return (
            f"The latest screening of {name} ({latest.decided_on:%-d %B %Y}) says individual "
            "care first, so they cannot join a group yet."
        )
    return None


def join_cohort(cohort: Cohort, enrolment: Enrolment, by: User) -> CohortMembership:
    """Add an enrolled patient to a cohort, or say clearly why not. Idempotent."""
    if not can_run(cohort, by):
        raise PermissionDenied("Only the cohort's facilitators or a clinic admin can add members.")
    existing = CohortMembership.objects.filter(cohort=cohort, enrolment=enrolment).first()
    if existing is not None:
        return existing
    patient = enrolment.patient
    name = patient.display_name
    program = cohort.version.program
    if enrolment.program_id != program.pk:
        raise ValidationError(
            f"{name} is enrolled in the {enrolment.program.title}, but this cohort runs the "
            f"{program.title}."
        )
    if patient.clinic_id != cohort.clinic_id:
        raise ValidationError(f"{name} belongs to another clinic.")
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise ValidationError(
            f"{name}'s enrolment is {enrolment.get_status_display().lower()}; only an active "
            "enrolment can join a cohort."
        )
    refusal = screening_refusal(patient, program)
    if refusal:
        raise ValidationError(refusal)
    if CohortMembership.objects.filter(cohort=cohort, enrolment__patient=patient).exists():
        raise ValidationError(f"{name} is already in this cohort through another enrolment.")
    with transaction.atomic():
        # Lock the cohort row so two facilitators adding the last place at once can't both
        # succeed (a no-op on SQLite, whose writes are serialised anyway).
        Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
        taken = CohortMembership.objects.filter(cohort=cohort).count()
        if taken >= cohort.capacity:
            raise ValidationError(
                f"{cohort.name} is full ({taken} of {cohort.capacity} places taken)."
            )
        membership, _ = CohortMembership.objects.get_or_create(cohort=cohort, enrolment=enrolment)
    return membership


# --- attendance -------------------------------------------------------------------------


def is_member(cohort: Cohort, patient: User) -> bool:
    return CohortMembership.objects.filter(cohort=cohort, enrolment__patient=patient).exists()


def record_attendance(occurrence: Occurrence, patient: User, status: str, by: User) -> Attendance:
    """Record (or correct) one patient's attendance at one meeting: one row per pair."""
    cohort = occurrence.cohort
    if not can_run(cohort, by):
        raise PermissionDenied("Only the cohort's facilitators or a clinic admin record attendance.")
    if status not in Attendance.Status.values:
        raise ValidationError("Choose Present, Absent or Excused.")
    if not is_member(cohort, patient):
        raise ValidationError(f"{patient.display_name} is not a member of this cohort.")
    if occurrence.cancelled:
        raise ValidationError("This session was cancelled; there is no attendance to record.")
    zone = clinic_zone(cohort)
    if status != Attendance.Status.EXCUSED and (
        occurrence.starts_at.astimezone(zone).date() > timezone.now().astimezone(zone).date()
    ):
        # Excusing someone ahead of time is normal; "present" for a future meeting is a slip.
        raise ValidationError(
            "This session has not happened yet: only “Excused” can be recorded in advance."
        )
    attendance, created = Attendance.objects.get_or_create(
        occurrence=occurrence,
        patient=patient,
        defaults={"status": status, "recorded_by": by},
    )
    if not created and attendance.status != status:
        attendance.status = status
        attendance.recorded_by = by
        attendance.recorded_at = timezone.now()
        attendance.save(update_fields=["status", "recorded_by", "recorded_at"])
    return attendance


@dataclass(frozen=True)
class AttendanceRow:
    patient: User
    present: int
    absent: int
    excused: int

    @property
    def recorded(self) -> int:
        return self.present + self.absent + self.excused


def attendance_summary(cohort: Cohort) -> list[AttendanceRow]:
    """Per member: how many meetings they were present at, absent from, excused from.
    Two queries, whatever the cohort's size."""
    members = [
        m.enrolment.patient
        for m in CohortMembership.objects.filter(cohort=cohort)
        .select_related("enrolment__patient__patient_profile")
        .order_by("enrolment__patient__patient_profile__display_name", "enrolment__patient__email")
    ]
    counts = {
        row["patient_id"]: row
        for row in Attendance.objects.filter(occurrence__cohort=cohort, occurrence__cancelled=False)
        .values("patient_id")
        .annotate(
            present=Count("pk", filter=Q(status=Attendance.Status.PRESENT)),
            absent=Count("pk", filter=Q(status=Attendance.Status.ABSENT)),
            excused=Count("pk", filter=Q(status=Attendance.Status.EXCUSED)),
        )
    }
    rows = []
    for patient in members:
        c = counts.get(patient.pk, {})
        rows.append(
            AttendanceRow(
                patient=patient,
                present=c.get("present", 0),
                absent=c.get("absent", 0),
                excused=c.get("excused", 0),
            )
        )
    return rows
