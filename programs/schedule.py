"""What a patient owes on a given local date: one pure function, `plan_for`.

Programme days are counted from the enrolment's start date (day 1 of week 1), skipping
paused days, so a pause shifts the rest of the programme. `plan_for` reads only the
enrolment and its version (use `prefetch_for_plan` to make that a fixed number of queries).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.db.models import Prefetch, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Enrolment, EnrolmentPause, ExerciseTemplate, Session

State = Literal["not_started", "active", "paused", "finished"]


@dataclass(frozen=True)
class DayPlan:
    enrolment: Enrolment
    local_date: dt.date
    state: State
    day_index: int | None = None  # 0-based programme day, pauses excluded
    exercises: tuple[ExerciseTemplate, ...] = field(default_factory=tuple)
    sessions: tuple[Session, ...] = field(default_factory=tuple)

    @property
    def week(self) -> int | None:
        return None if self.day_index is None else self.day_index // 7 + 1

    @property
    def day(self) -> int | None:
        return None if self.day_index is None else self.day_index % 7 + 1

    @property
    def label(self) -> str:
        title = self.enrolment.version.display_title
        if self.state == "active":
            return _("Week %(week)s, day %(day)s of the %(title)s") % {
                "week": self.week, "day": self.day, "title": title}
        if self.state == "not_started":
            return _("The %(title)s starts on %(day)s") % {
                "title": title, "day": date_format(self.enrolment.start_date, "l j F")}
        if self.state == "paused":
            return _("The %(title)s is paused") % {"title": title}
        return _("You have finished the %(title)s") % {"title": title}


def prefetch_for_plan(enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    return enrolments.select_related("version__program").prefetch_related(
        "version__weeks",
        Prefetch("version__exercises", queryset=ExerciseTemplate.objects.order_by("order", "pk")),
        Prefetch("version__sessions", queryset=Session.objects.order_by("week", "day", "order")),
        Prefetch("pauses", queryset=EnrolmentPause.objects.order_by("start")),
    )


def programme_day_index(
    start: dt.date, local_date: dt.date, pauses: Iterable[EnrolmentPause]
) -> int | None:
    """0-based programme day on `local_date`; None while paused; negative before the start."""
    if local_date < start:
        return (local_date - start).days
    paused = 0
    for pause in pauses:
        if pause.start <= local_date and (pause.end is None or local_date < pause.end):
            return None
        # Only paused days on or after day 1 shift the programme (a pause may begin earlier).
        pause_start = max(pause.start, start)
        end = min(pause.end or local_date, local_date)
        paused += max(0, (end - pause_start).days)
    return (local_date - start).days - paused


def programme_date(
    start: dt.date, index: int, pauses: Iterable[EnrolmentPause]
) -> dt.date | None:
    """Calendar date of 0-based programme day `index` (the inverse of programme_day_index);
    None when it falls after a pause that has no end yet."""
    day = start + dt.timedelta(days=index)
    for pause in sorted(pauses, key=lambda p: p.start):
        pause_start = max(pause.start, start)
        if pause.end is not None and pause.end <= pause_start:
            continue
        if pause_start <= day:
            if pause.end is None:
                return None
            day += pause.end - pause_start
    return day


def week_dates(week_start: dt.date) -> list[dt.date]:
    return [week_start + dt.timedelta(days=i) for i in range(7)]


def spread(candidates: Sequence[int], n: int) -> set[int]:
    """Pick n of the candidate days, spread evenly through the week (deterministic)."""
    if n <= 0 or not candidates:
        return set()
    n = min(n, len(candidates))
    return {candidates[(i * len(candidates)) // n] for i in range(n)}


def exercise_due(
    ex: ExerciseTemplate,
    week: int,
    day: int,
    local_date: dt.date,
    dates: Sequence[dt.date | None] | None = None,
) -> bool:
    """Is `ex` due on programme (week, day), which falls on calendar `local_date`?

    `dates` (the calendar dates of programme days 1-7 of this week) matters only for
    "N times a week" when a pause splits the week: without it the week is assumed unbroken.
    """
    if week not in (ex.weeks or []):
        return False
    rest = set(ex.rest_days or [])
    if local_date.weekday() in rest:
        return False
    cadence = ex.cadence
    if cadence == ExerciseTemplate.Cadence.DAILY:
        return True
    if cadence == ExerciseTemplate.Cadence.WEEKDAYS:
        return local_date.weekday() in set(ex.weekdays or [])
    if cadence == ExerciseTemplate.Cadence.TIMES_PER_WEEK:
        # Calendar weekday of each programme day of this week, to honour rest days.
        offset = local_date.weekday() - (day - 1)
        weekdays = [
            date.weekday() if date else (offset + i) % 7
            for i, date in enumerate(list(dates) if dates is not None else [None] * 7)
        ]
        candidates = [i + 1 for i, weekday in enumerate(weekdays) if weekday not in rest]
        return day in spread(candidates, ex.times_per_week or 0)
    if cadence == ExerciseTemplate.Cadence.ONCE:
        once_week = ex.once_week or min(ex.weeks or [0])
        return week == once_week and day == (ex.once_day or 1)
    return False


def plan_for(enrolment: Enrolment, local_date: dt.date) -> DayPlan:
    """What `enrolment` owes on the patient's `local_date`: the one answer every page reads
    (Today, History, the clinician's pages, the admin's preview), status and pauses included."""
    version = enrolment.version
    ended_on = enrolment.completed_on or enrolment.withdrawn_on
    if ended_on is not None and local_date >= ended_on:
        return DayPlan(enrolment, local_date, "finished")
    # An enrolment never saved (the admin's preview of a version) has no pauses yet.
    pauses = list(enrolment.pauses.all()) if enrolment.pk is not None else []
    weeks = len(version.weeks.all())
    index = programme_day_index(enrolment.start_date, local_date, pauses)
    if index is None:
        # A pause that began after the last programme day does not reopen the programme.
        began = max(p.start for p in pauses if p.start <= local_date)
        earlier = [p for p in pauses if p.start < began]
        before = programme_day_index(enrolment.start_date, began, earlier)
        if before is not None and before >= weeks * 7:
            return DayPlan(enrolment, local_date, "finished")
        return DayPlan(enrolment, local_date, "paused")
    if index < 0:
        return DayPlan(enrolment, local_date, "not_started", day_index=None)
    if index >= weeks * 7:
        return DayPlan(enrolment, local_date, "finished")
    week, day = index // 7 + 1, index % 7 + 1
    first = index - (day - 1)
    dates = [programme_date(enrolment.start_date, first + i, pauses) for i in range(7)]
    exercises = tuple(
        ex for ex in version.exercises.all() if exercise_due(ex, week, day, local_date, dates)
    )
    if enrolment.status == Enrolment.Status.PAUSED and (
        enrolment.status_changed_on is None or local_date >= enrolment.status_changed_on
    ):
        # The status is the engine's word: paused means nothing is due from the day it was
        # paused, even where a pause row is missing (a direct edit) or begins later.
        return DayPlan(enrolment, local_date, "paused")
    sessions = tuple(s for s in version.sessions.all() if s.week == week and s.day == day)
    return DayPlan(enrolment, local_date, "active", index, exercises, sessions)
