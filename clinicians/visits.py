"""Follow-up visits: the suggested date, scheduling (never twice), recording the notes and the
outcome, and what the patient and the dashboard are told. Views and the demo call these;
tests call them directly. Access to the patient is clinicians.access', decided before.

Times: a visit is stored as an aware datetime. The clinician's pages read and write it in the
clinic's time zone (where the visit is held, as for group sessions); the patient's Today shows
it in the patient's own zone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from programs.models import Enrolment
from recovery.models import User
from recovery.panels import Panel

from .models_visits import FollowUpVisit

# Seed 002: a follow-up consultation 3-4 weeks after the initial one. Four weeks lands on the
# same weekday as the first consultation and after a three-week workshop (seed 001) has ended.
SUGGESTED_AFTER = dt.timedelta(weeks=4)
SUGGESTED_TIME = dt.time(10, 0)
# When the suggested date has passed already: a week from today.
SOON = dt.timedelta(weeks=1)

S = FollowUpVisit.Status
# What a recorded visit may become, and from which state: a visit that was held stays held.
OUTCOMES = (S.DONE, S.MISSED, S.CANCELLED, S.SCHEDULED)


def clinic_zone(user: User) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(user.clinic.time_zone)


def initial_consultation(patient: User) -> dt.date | None:
    """The day of the initial consultation: the start of the patient's first programme."""
    first: dt.date | None = Enrolment.objects.filter(patient=patient).aggregate(
        first=Min("start_date")
    )["first"]
    return first


def suggested_start(patient: User, today: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """When to suggest the follow-up: four weeks after the initial consultation, at 10:00 in
    `zone`; a week from `today` when that day has passed (or there is no programme yet)."""
    first = initial_consultation(patient)
    day = first + SUGGESTED_AFTER if first is not None else today + SOON
    if day <= today:
        day = today + SOON
    return dt.datetime.combine(day, SUGGESTED_TIME, tzinfo=zone)


def schedule(
    patient: User, clinician: User, when: dt.datetime, mode: str = FollowUpVisit.Mode.IN_PERSON
) -> tuple[FollowUpVisit, bool]:
    """Book a visit; (visit, created). The same patient and time again finds the visit already
    booked instead of a second one, even when two posts race (the unique constraint decides)."""
    if timezone.is_naive(when):
        raise ValidationError(_("A visit time needs its time zone."))
    if mode not in FollowUpVisit.Mode.values:
        raise ValidationError({"mode": _("Choose in person, phone or video.")})
    existing = _booked(patient, when)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            visit = FollowUpVisit.objects.create(
                patient=patient, clinician=clinician, scheduled_for=when, mode=mode
            )
    except IntegrityError:
        found = _booked(patient, when)
        if found is None:
            raise
        return found, False
    return visit, True


def _booked(patient: User, when: dt.datetime) -> FollowUpVisit | None:
    return (
        FollowUpVisit.objects.filter(patient=patient, scheduled_for=when)
        .exclude(status=S.CANCELLED)
        .first()
    )


def record(
    visit: FollowUpVisit,
    *,
    status: str,
    summary: str = "",
    discussed: str = "",
    plan: str = "",
    now: dt.datetime | None = None,
) -> FollowUpVisit:
    """Save the notes and what became of the visit. A visit cannot be done or missed before
    its time; notes may be written ahead (preparation) and kept whatever the outcome."""
    if status not in OUTCOMES:
        raise ValidationError({"status": _("Choose whether the visit was done, missed or cancelled.")})
    now = now or timezone.now()
    if status in (S.DONE, S.MISSED) and visit.scheduled_for > now:
        raise ValidationError(
            {"status": _("This visit has not happened yet: it can be marked done or missed from "
                         "its start time. Your notes can be saved as it stays scheduled.")}
        )
    visit.status = status
    visit.summary, visit.discussed, visit.plan = summary.strip(), discussed.strip(), plan.strip()
    visit.save(update_fields=["status", "summary", "discussed", "plan", "updated_at"])
    return visit


def scheduled(patients: QuerySet[User] | list[User]) -> QuerySet[FollowUpVisit]:
    """Visits still to be held (or to be recorded) for `patients`, soonest first."""
    return FollowUpVisit.objects.filter(patient__in=patients, status=S.SCHEDULED).order_by(
        "scheduled_for", "pk"
    )


def upcoming(patients: QuerySet[User], now: dt.datetime, limit: int = 10) -> list[FollowUpVisit]:
    """The caseload's next visits (and any past one not yet recorded), for the dashboard."""
    return list(
        scheduled(patients)
        .filter(scheduled_for__gte=now - dt.timedelta(days=7))
        .select_related("patient__patient_profile", "clinician__clinician_profile")[:limit]
    )


def last_held(patient: User) -> FollowUpVisit | None:
    """The most recent visit that took place."""
    return (
        FollowUpVisit.objects.filter(patient=patient, status=S.DONE)
        .order_by("-scheduled_for")
        .first()
    )


def next_for_patient(patient: User, local_date: dt.date) -> FollowUpVisit | None:
    """The patient's next scheduled visit from the start of their `local_date` on."""
    zone = zoneinfo.ZoneInfo(patient.time_zone)
    start = dt.datetime.combine(local_date, dt.time(), tzinfo=zone)
    return (
        FollowUpVisit.objects.filter(patient=patient, status=S.SCHEDULED, scheduled_for__gte=start)
        .select_related("clinician__clinician_profile")
        .order_by("scheduled_for")
        .first()
    )


def today_panel(patient: User, local_date: dt.date) -> Panel | None:
    """The Today panel (recovery.panels): the next visit, in the patient's own time. 1 query."""
    visit = next_for_patient(patient, local_date)
    if visit is None:
        return None
    local = visit.scheduled_for.astimezone(zoneinfo.ZoneInfo(patient.time_zone))
    return Panel(
        "next-visit",
        "clinicians/today_next_visit.html",
        {
            "visit": visit,
            # Formatted here: the template's date filter would turn it back to the server's zone.
            "day_text": _("Today") if local.date() == local_date else date_format(local, "l j F"),
            "time_text": f"{local:%H:%M}",
            "with_whom": visit.clinician.display_name if visit.clinician else "",
        },
    )
