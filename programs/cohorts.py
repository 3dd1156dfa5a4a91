"""Cohorts of group programmes: their meetings (occurrences), who joins, who attended.

Rules live here as plain functions; views and the admin call them. Times are stored in UTC and
computed from the cohort's start date and meeting time in the *clinic's* time zone, so a
meeting at 18:00 stays at 18:00 local on both sides of a daylight-saving change.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from recovery.models import Clinic, User

from .models import (
    Attendance,
    Cohort,
    CohortMembership,
    Enrolment,
    Occurrence,
    Session,
)
from .schedule import programme_day_index
from .screening import (  # noqa: F401  (re-exported: callers know the gate as cohorts.*)
    gate_message,
    latest_screening,
    record_screening,
    screening_refusal,
)

GROUP_KINDS = Session.GROUP_KINDS


# --- a sane window ---------------------------------------------------------------------------
# One place for what dates and sizes a cohort may have (the form, the admin and the services
# all ask here): a cohort starting in 9999 crashed the scheduler, and one in 1900 or with
# 100,000 places is a typing slip, not a plan. Meetings may move within the same window.

DAYS_BACK = 366
DAYS_AHEAD = 2 * 366
MIN_PLACES, MAX_PLACES = 1, 100


def clinic_today(clinic: Clinic) -> dt.date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(clinic.time_zone)).date()


def date_window(today: dt.date) -> tuple[dt.date, dt.date]:
    return today - dt.timedelta(days=DAYS_BACK), today + dt.timedelta(days=DAYS_AHEAD)


def date_problem(day: dt.date, today: dt.date, what: str) -> str | None:
    """Why `day` is outside the window, in words that name the years, or None."""
    first, last = date_window(today)
    if first <= day <= last:
        return None
    return _("%(what)s must fall between %(first)s and %(last)s (you gave %(day)s).") % {
        "what": what, "first": date_format(first, "j F Y"), "last": date_format(last, "j F Y"),
        "day": date_format(day, "j F Y")}


def places_problem(capacity: int) -> str | None:
    if MIN_PLACES <= capacity <= MAX_PLACES:
        return None
    return f"A cohort has between {MIN_PLACES} and {MAX_PLACES} places (you gave {capacity})."


def cohort_problems(
    start_date: dt.date | None, capacity: int | None, today: dt.date
) -> dict[str, str]:
    """Field name -> what is wrong with a cohort's start date and size (empty when fine)."""
    problems: dict[str, str] = {}
    if start_date is not None and (p := date_problem(start_date, today, _("The start date"))):
        problems["start_date"] = p
    if capacity is not None and (p := places_problem(capacity)):
        problems["capacity"] = p
    return problems


def create_cohort(cohort: Cohort, facilitator: User) -> list[Occurrence]:
    """Save a new (unsaved) cohort with `facilitator` and schedule its meetings, all or
    nothing: a refused or failing cohort leaves no half-made row behind."""
    problems = cohort_problems(cohort.start_date, cohort.capacity, clinic_today(cohort.clinic))
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        cohort.save()
        cohort.facilitators.add(facilitator)
        return generate_occurrences(cohort)


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
    one is taken as it is. `location` None keeps the current place. A date outside the
    window is refused (ValidationError keyed "date")."""
    zone = clinic_zone(occurrence.cohort)
    problem = date_problem(when.date(), clinic_today(occurrence.cohort.clinic), _("A session"))
    if problem:
        raise ValidationError({"date": problem})
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


# --- joining --------------------------------------------------------------


def step_problem(cohort: Cohort, enrolment: Enrolment) -> str | None:
    """Why `enrolment` is out of step with `cohort`, or None. A member's Today counts weeks,
    days and sessions from their own enrolment, so it must follow the cohort's version and be
    on the cohort's programme day; otherwise Today says "Week 1, day 1" to someone whose group
    met twice already. We refuse rather than move the patient's day 1 (an enrolment change
    is for programs.services, and skipping a patient's first weeks is a clinical decision)."""
    name = enrolment.patient.display_name
    title = cohort.version.display_title
    if enrolment.version_id != cohort.version_id:
        return _(
            "%(name)s follows version %(theirs)s of the %(title)s, but this cohort follows "
            "version %(ours)s: their weeks and sessions would not match. Add them to a cohort of "
            "version %(theirs)s, or create one."
        ) % {"name": name, "theirs": enrolment.version.number, "title": title,
             "ours": cohort.version.number}
    # Compare the two programme days on one date: today, or the cohort's day 1 if later.
    on = max(clinic_today(cohort.clinic), cohort.start_date)
    theirs = programme_day_index(enrolment.start_date, on, enrolment.pauses.all())
    if theirs == (on - cohort.start_date).days:
        return None
    return _(
        "%(name)s's day 1 of the %(title)s was %(theirs)s, but this cohort's day 1 is %(ours)s: "
        "their Today would be out of step with the group. Add them to a cohort whose day 1 is "
        "theirs, or create one."
    ) % {"name": name, "title": title, "theirs": date_format(enrolment.start_date, "j F Y"),
         "ours": date_format(cohort.start_date, "j F Y")}


def join_cohort(cohort: Cohort, enrolment: Enrolment, by: User) -> CohortMembership:
    """Add an enrolled patient to a cohort, or say clearly why not. Idempotent.

    Who may add members (`by`) is decided by the caller through clinicians.access (views) or
    the clinic-scoped admin; the rules here are about the patient and the cohort."""
    existing = CohortMembership.objects.filter(cohort=cohort, enrolment=enrolment).first()
    if existing is not None:
        return existing
    patient = enrolment.patient
    name = patient.display_name
    program = cohort.version.program
    if enrolment.program_id != program.pk:
        raise ValidationError(
            _("%(name)s is enrolled in the %(programme)s, but this cohort runs the %(programme2)s.") % {"name": name, "programme": enrolment.program.title, "programme2": program.title}
        )
    if patient.clinic_id != cohort.clinic_id:
        raise ValidationError(_("%(name)s belongs to another clinic.") % {"name": name})
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise ValidationError(
            _("%(name)s's enrolment is %(status)s; only an active enrolment can join a cohort.") % {"name": name, "status": enrolment.get_status_display().lower()}
        )
    refusal = step_problem(cohort, enrolment) or screening_refusal(patient, program)
    if refusal:
        raise ValidationError(refusal)
    if CohortMembership.objects.filter(cohort=cohort, enrolment__patient=patient).exists():
        raise ValidationError(_("%(name)s is already in this cohort through another enrolment.") % {"name": name})
    with transaction.atomic():
        # Lock the cohort row so two facilitators adding the last place at once can't both
        # succeed (a no-op on SQLite, whose writes are serialised anyway).
        Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
        taken = CohortMembership.objects.filter(cohort=cohort).count()
        if taken >= cohort.capacity:
            raise ValidationError(
                _("%(cohort)s is full (%(taken)s of %(capacity)s places taken).") % {"cohort": cohort.name, "taken": taken, "capacity": cohort.capacity}
            )
        membership, _created = CohortMembership.objects.get_or_create(cohort=cohort, enrolment=enrolment)
    return membership


# --- attendance -------------------------------------------------------------------------


def is_member(cohort: Cohort, patient: User) -> bool:
    return CohortMembership.objects.filter(cohort=cohort, enrolment__patient=patient).exists()


def member_since(cohort: Cohort, patient: User) -> dt.date | None:
    """The member's day 1 (of their enrolment): meetings before it are none of theirs. None
    when `patient` is not a member."""
    return (
        CohortMembership.objects.filter(cohort=cohort, enrolment__patient=patient)
        .values_list("enrolment__start_date", flat=True)
        .first()
    )


def is_before_member(occurrence: Occurrence, since: dt.date) -> bool:
    """Was `occurrence` held before a member whose day 1 is `since` joined the programme?"""
    return local_start(occurrence).date() < since


def record_attendance(occurrence: Occurrence, patient: User, status: str, by: User) -> Attendance:
    """Record (or correct) one patient's attendance at one meeting: one row per pair.
    Who may record (`by`) is decided by the caller (clinicians.access, the scoped admin)."""
    cohort = occurrence.cohort
    if status not in Attendance.Status.values:
        raise ValidationError(_("Choose Present, Absent or Excused."))
    since = member_since(cohort, patient)
    if since is None:
        raise ValidationError(_("%(patient)s is not a member of this cohort.") % {"patient": patient.display_name})
    if is_before_member(occurrence, since):
        raise ValidationError(
            _("%(patient)s started the programme on %(since)s, after this session: "
                  "there is no attendance to record.") % {"patient": patient.display_name, "since": date_format(since, "j F Y")}
        )
    if occurrence.cancelled:
        raise ValidationError(_("This session was cancelled; there is no attendance to record."))
    if status != Attendance.Status.EXCUSED and local_start(occurrence).date() > clinic_today(
        cohort.clinic
    ):
        # Excusing someone ahead of time is normal; "present" for a future meeting is a slip.
        raise ValidationError(
            _("This session has not happened yet: only “Excused” can be recorded in advance.")
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
    return [
        AttendanceRow(
            patient,
            *(counts.get(patient.pk, {}).get(k, 0) for k in ("present", "absent", "excused")),
        )
        for patient in members
    ]
