"""Journaling's reminder kinds: the daily practice reminder and the gentle nudge.

Both are set-based: patients are grouped by time zone (there are few), each zone's local
dates and wall-clock range for the window come from recovery.notifications.localtime, and
one query per kind finds everyone due; Python only turns each row's local time into its
exact instant (cached per zone, date and time).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.conf import settings
from django.db.models import DateField, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy

from programs.models import Enrolment
from recovery.models import PatientProfile, ReminderLedger
from recovery.notifications.localtime import local_instant, local_ranges
from recovery.notifications.registry import Due, ReminderKind

DAILY = "daily_practice"
NUDGE = "inactivity_nudge"


def _first_active_day() -> Subquery:
    # Reminders go to patients taking part today: an *active* enrolment (not paused by
    # their clinician, not finished), from its first day on.
    return Subquery(
        Enrolment.objects.filter(patient_id=OuterRef("user_id"), status=Enrolment.Status.ACTIVE)
        .order_by("start_date")
        .values("start_date")[:1],
        output_field=DateField(),
    )


def daily_practice_due(start: dt.datetime, end: dt.datetime) -> Iterator[Due]:
    base = PatientProfile.objects.filter(
        reminder_time__isnull=False, user__is_active=True, deletion_requested_at__isnull=True
    ).annotate(first_day=_first_active_day()).filter(first_day__isnull=False)
    zones = base.values_list("time_zone", flat=True).distinct()
    ranges = local_ranges(start, end, zones)
    if not ranges:
        return
    match = Q()
    by_zone = defaultdict(list)
    for r in ranges:
        match |= Q(time_zone=r.zone, reminder_time__gte=r.lo, reminder_time__lte=r.hi)
        by_zone[r.zone].append(r)
    rows = base.filter(match).values_list("user_id", "time_zone", "reminder_time", "first_day")
    for user_id, zone, at, first_day in rows.iterator(chunk_size=5000):
        for r in by_zone[zone]:
            if at is not None and r.lo <= at <= r.hi and first_day <= r.day:
                due = local_instant(r.day, at, zone)
                if start <= due <= end:
                    yield Due(user_id, r.day.isoformat(), due)


def _last_activity(model_name: str) -> Subquery:
    from django.apps import apps

    model = apps.get_model("journaling", model_name)
    return Subquery(
        model.objects.filter(patient_id=OuterRef("user_id"))
        .order_by("-local_date")
        .values("local_date")[:1],
        output_field=DateField(),
    )


def inactivity_due(start: dt.datetime, end: dt.datetime) -> Iterator[Due]:
    """After REMINDER_INACTIVITY_DAYS without a check-in, completion or journal entry (since
    the programme's first day, if none yet), one kind word at REMINDER_NUDGE_HOUR local; at
    most one a week: the slot counts weeks of the same quiet spell, and a nudge in the last
    7 days rules out another."""
    days = settings.REMINDER_INACTIVITY_DAYS
    at = dt.time(settings.REMINDER_NUDGE_HOUR)
    base = PatientProfile.objects.filter(
        user__is_active=True, deletion_requested_at__isnull=True
    ).annotate(first_day=_first_active_day()).filter(first_day__isnull=False)
    zones = base.values_list("time_zone", flat=True).distinct()
    due_on: list[tuple[str, dt.date, dt.datetime]] = []
    for r in local_ranges(start, end, zones):
        if r.lo <= at <= r.hi:
            instant = local_instant(r.day, at, r.zone)
            if start <= instant <= end:
                due_on.append((r.zone, r.day, instant))
    if not due_on:
        return
    first = "first_day"
    quiet = base.annotate(
        last=Greatest(
            Coalesce(_last_activity("CheckIn"), first),
            Coalesce(_last_activity("ExerciseCompletion"), first),
            Coalesce(_last_activity("JournalEntry"), first),
        ),
        nudged=Exists(
            ReminderLedger.objects.filter(
                recipient_id=OuterRef("user_id"), kind=NUDGE,
                due_at__gt=end - dt.timedelta(days=7),
            )
        ),
    ).filter(nudged=False)
    match = Q()
    for zone, day, _ in due_on:
        match |= Q(time_zone=zone, last__lte=day - dt.timedelta(days=days))
    when = {(zone, day): instant for zone, day, instant in due_on}
    for user_id, zone, last in quiet.filter(match).values_list("user_id", "time_zone", "last"):
        for (z, day), instant in when.items():
            quiet_days = (day - last).days
            if z == zone and quiet_days >= days:
                week = (quiet_days - days) // 7
                yield Due(user_id, f"since-{last.isoformat()}-w{week}", instant)


def register() -> None:
    from recovery.notifications import registry

    registry.register(ReminderKind(
        name=DAILY, label=gettext_lazy("Daily practice reminder"), audience="patient",
        due=daily_practice_due, title=gettext_lazy("Your practice for today"), url="/today/",
    ))
    registry.register(ReminderKind(
        name=NUDGE, label=gettext_lazy("A gentle nudge after a few quiet days"), audience="patient",
        due=inactivity_due, title=gettext_lazy("Whenever you're ready"), url="/today/",
    ))
