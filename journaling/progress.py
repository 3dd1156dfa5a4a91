"""What one patient did, day by day: check-in scores, weekly adherence, a month's calendar
and a timeline. Read by the History page and the My data PDF (and reusable by the
clinician's report); each function costs a fixed number of queries, however many days."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from journaling.charts import ScorePoint, WeekAdherence
from journaling.models import CheckIn, ExerciseCompletion, JournalEntry
from programs.models import Enrolment
from programs.schedule import plan_for, prefetch_for_plan
from recovery.models import User

# An enrolment paused for ever would otherwise be walked day by day up to today.
MAX_PROGRAMME_DAYS = 3 * 366


def score_points(patient: User, start: dt.date, end: dt.date) -> list[ScorePoint]:
    """Check-in scores from `start` to `end` (local dates, inclusive), oldest first. 1 query."""
    rows = (
        CheckIn.objects.filter(patient=patient, local_date__range=(start, end))
        .order_by("local_date")
        .values_list("local_date", "pain", "stress", "mood")
    )
    return [ScorePoint(*row) for row in rows]


def done_within_due(due: Counter[int], done: Counter[int]) -> int:
    """Completions counted against what was due, per exercise id: an exercise done more often
    than due counts as due, and one not due counts for nothing."""
    return sum(min(n, due[ex_id]) for ex_id, n in done.items())


def week_adherence(
    enrolment: Enrolment,
    week: int,
    dates: Sequence[dt.date],
    completions: Iterable[tuple[int, dt.date]],
    today: dt.date,
) -> WeekAdherence:
    """Exercises done / due in one programme week, the one count Today and History show.

    `dates` are the calendar dates of the week's programme days (pauses skipped). Due counts
    what the plan asks for on those days up to `today` (the patient's local date): a week in
    progress says "so far", never counting days still ahead. `completions` are the (exercise
    id, local date) pairs logged for this enrolment; those on the week's days up to today
    count, each exercise at most as often as it was due.
    """
    so_far = [day for day in dates if day <= today]
    due: Counter[int] = Counter()
    for day in so_far:
        due.update(ex.pk for ex in plan_for(enrolment, day).exercises)
    in_week = set(so_far)
    done = Counter(ex_id for ex_id, day in completions if day in in_week)
    return WeekAdherence(
        week=week,
        due=sum(due.values()),
        done=done_within_due(due, done),
        in_progress=today in dates,
    )


def weekly_adherence(
    enrolment: Enrolment, completions: Iterable[tuple[int, dt.date]], today: dt.date
) -> list[WeekAdherence]:
    """Exercises done / due per programme week, up to `today` (the patient's local date).

    `enrolment` must come through `prefetch_for_plan`; `completions` are the (exercise id,
    local date) pairs logged for it. An exercise done more often than due counts as due,
    so a "3 times a week" exercise done on other days than planned still counts.
    """
    days_of: dict[int, list[dt.date]] = defaultdict(list)
    day = enrolment.start_date
    for _step in range(MAX_PROGRAMME_DAYS):
        if day > today:
            break
        plan = plan_for(enrolment, day)
        if plan.state == "finished":
            break
        if plan.state == "active" and plan.week is not None:
            days_of[plan.week].append(day)
        day += dt.timedelta(days=1)
    pairs = list(completions)
    return [
        week_adherence(enrolment, week, days_of[week], pairs, today) for week in sorted(days_of)
    ]


def adherence_by_enrolment(
    patient: User, today: dt.date
) -> list[tuple[Enrolment, list[WeekAdherence]]]:
    """Weekly adherence for each programme the patient has started, newest first. 6 queries."""
    enrolments = list(
        prefetch_for_plan(
            Enrolment.objects.filter(patient=patient, start_date__lte=today).order_by(
                "-start_date", "-pk"
            )
        )
    )
    if not enrolments:
        return []
    pairs: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    rows = ExerciseCompletion.objects.filter(
        patient=patient, enrolment__in=[e.pk for e in enrolments]
    ).values_list("enrolment_id", "exercise_id", "local_date")
    for enrolment_id, exercise_id, local_date in rows:
        pairs[enrolment_id].append((exercise_id, local_date))
    return [(e, weekly_adherence(e, pairs[e.pk], today)) for e in enrolments]


# --- Calendar and timeline -------------------------------------------------------------


@dataclass
class DayActivity:
    """What the patient logged on one local date."""

    local_date: dt.date
    checkin: CheckIn | None = None
    completions: list[ExerciseCompletion] = field(default_factory=list)
    entries: list[JournalEntry] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.checkin is None and not self.completions and not self.entries

    @property
    def summary(self) -> str:
        """What was logged, in words, for screen readers (the calendar cell is terse)."""
        parts = []
        if self.checkin is not None:
            parts.append(_("checked in, %(scores)s") % {"scores": self.checkin.scores_text()})
        if self.completions:
            n = len(self.completions)
            parts.append(ngettext("%(count)s exercise done", "%(count)s exercises done", n) % {"count": n})
        if self.entries:
            n = len(self.entries)
            parts.append(ngettext("%(count)s journal entry", "%(count)s journal entries", n) % {"count": n})
        return ", ".join(parts) or _("nothing logged")

    @property
    def description(self) -> str:
        """The whole day in words: "12 November, checked in, pain 4"."""
        return f"{date_format(self.local_date, 'j F')}, {self.summary}"

    def timeline(self) -> list[tuple[dt.datetime, str, object]]:
        """(time, kind, item) in the order they happened."""
        items: list[tuple[dt.datetime, str, object]] = []
        if self.checkin is not None:
            items.append((self.checkin.created_at, "checkin", self.checkin))
        items += [(c.completed_at, "exercise", c) for c in self.completions]
        items += [(e.created_at, "entry", e) for e in self.entries]
        return sorted(items, key=lambda item: item[0])


def activity_between(patient: User, start: dt.date, end: dt.date) -> dict[dt.date, DayActivity]:
    """Every local date from `start` to `end` with what was logged on it. 3 queries.

    Entries carry a short `excerpt` instead of their whole text, and released entries never
    had any text: the History page only needs to say what was written when.
    """
    days = {
        start + dt.timedelta(days=i): DayActivity(start + dt.timedelta(days=i))
        for i in range((end - start).days + 1)
    }
    span = (start, end)
    for checkin in CheckIn.objects.filter(patient=patient, local_date__range=span):
        days[checkin.local_date].checkin = checkin
    completions = (
        ExerciseCompletion.objects.filter(patient=patient, local_date__range=span)
        .select_related("exercise")
        .order_by("completed_at")
    )
    for completion in completions:
        days[completion.local_date].completions.append(completion)
    # The body is encrypted at rest (recovery.crypto): the excerpt is cut in Python, not SQL.
    entries = (
        JournalEntry.objects.filter(patient=patient, local_date__range=span)
        .defer("data", "unsaved_edits")
        .order_by("created_at")
    )
    for entry in entries:
        entry.excerpt = entry.body[:160]  # type: ignore[attr-defined]
        days[entry.local_date].entries.append(entry)
    return days


def month_weeks(year: int, month: int) -> list[list[dt.date]]:
    """The month's calendar grid: whole weeks, Monday first."""
    return calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def grid_span(weeks: Sequence[Sequence[dt.date]]) -> tuple[dt.date, dt.date]:
    return weeks[0][0], weeks[-1][-1]
