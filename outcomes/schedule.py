"""When a patient owes a questionnaire: a programme version's schedule (QuestionnaireSchedule)
turned into dated slots for each enrolment, matched against the submitted responses.

A slot opens on its date and stays due for `window_days` days (the last day is `closes`); a
submitted response dated inside the window satisfies it; past the window it is missed.
- baseline: on or before day 1 (opens `window_days` before day 1, closes on day 1);
- week N (and each week of "weekly"): day 1 of programme week N, pauses shifting it as they
  shift the programme (programs.schedule.programme_date); weeks beyond the programme count on
  from day 1 like follow-ups (the 12-week pilot's week 26);
- end: the day the programme ended (completed) or, while it runs, the day after its last
  programme day, the day plan_for says "finished";
- follow-up M months: M calendar months after the end; it reaches the patient although the
  enrolment is over.
A withdrawn patient is asked nothing after the withdrawal; a completed one keeps the end and
the follow-ups but not the weeks they no longer follow. An open-ended pause postpones every slot
after it (its date is unknown until the patient resumes).

One response satisfies one slot: for each instrument the slots are matched earliest deadline
first with the earliest response inside their window, so a baseline answer on day 1 does not
also count for week 1.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from django.core.cache import cache
from django.db.models import Count, F, Prefetch
from django.urls import reverse

from programs.models import Enrolment, EnrolmentPause
from programs.schedule import programme_date
from recovery.models import User

from .models import (
    AVAILABLE_CACHE_KEY,
    InstrumentVersion,
    QuestionnaireResponse,
    QuestionnaireSchedule,
)

When = QuestionnaireSchedule.When
T = TypeVar("T")


@dataclass(frozen=True)
class Slot:
    enrolment_id: int
    patient_id: int
    instrument: str  # the instrument's code, e.g. PEG-3
    label: str  # "baseline", "week 4", "end of programme", "6 months after the end"
    when: str
    opens: dt.date
    closes: dt.date  # the last day it may be answered
    title: str = ""  # the instrument's title, filled in for the patient's pages

    @property
    def until(self) -> dt.date:
        return self.closes

    @property
    def url(self) -> str:
        return reverse("outcomes:answer", args=[self.instrument])

    @property
    def timepoint(self) -> str:
        """The statistics' name for it: baseline, week N, end, N months."""
        if self.when == When.END:
            return "end"
        if self.when == When.FOLLOW_UP:
            return f"{self.label.split()[0]} months"
        return self.label


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def end_date(enrolment: Enrolment, pauses: Sequence[EnrolmentPause], weeks: int) -> dt.date | None:
    """The day the programme ended or will end; None while an open-ended pause holds it."""
    if enrolment.completed_on is not None:
        return enrolment.completed_on
    if enrolment.withdrawn_on is not None:
        return enrolment.withdrawn_on
    return programme_date(enrolment.start_date, weeks * 7, pauses)


def slots_for(
    enrolment: Enrolment, schedules: Iterable[QuestionnaireSchedule], weeks: int,
    pauses: Sequence[EnrolmentPause],
) -> list[Slot]:
    """Every dated slot of one enrolment (pure: reads only what it is given)."""
    start = enrolment.start_date
    end = end_date(enrolment, pauses, weeks)
    withdrawn = enrolment.withdrawn_on
    completed = enrolment.completed_on
    out: list[Slot] = []

    def add(rule: QuestionnaireSchedule, label: str, opens: dt.date | None,
            closes: dt.date | None = None, in_programme: bool = False) -> None:
        if opens is None:
            return  # after an open-ended pause: not dated yet
        if in_programme and completed is not None and opens >= completed:
            return
        last = closes if closes is not None else opens + dt.timedelta(days=rule.window_days - 1)
        if withdrawn is not None:
            last = min(last, withdrawn - dt.timedelta(days=1))  # nothing is due from that day
            if last < opens:
                return
        out.append(Slot(enrolment.pk, enrolment.patient_id, rule.instrument, label, rule.when,
                        opens, last))

    for rule in schedules:
        if rule.when == When.BASELINE:
            add(rule, "baseline", start - dt.timedelta(days=rule.window_days), start)
        elif rule.when in (When.WEEK, When.WEEKLY):
            numbers = range(1, weeks + 1) if rule.when == When.WEEKLY else [rule.week or 1]
            for n in numbers:
                add(rule, f"week {n}", programme_date(start, (n - 1) * 7, pauses),
                    in_programme=n <= weeks)
        elif rule.when == When.END:
            add(rule, "end of programme", end if withdrawn is None else None)
        elif rule.when == When.FOLLOW_UP and end is not None and withdrawn is None:
            add(rule, f"{rule.months} months after the end", add_months(end, rule.months or 0))
    return out


def assign(
    slots: Iterable[Slot], answered: dict[tuple[int, str], list[tuple[dt.date, T]]]
) -> dict[Slot, T]:
    """Which response fills which slot, given the patients' submitted responses
    {(patient, code): [(local date, value)]}: for each patient and instrument, earliest
    deadline first, each slot takes the earliest response inside its window, one per slot."""
    by_key: dict[tuple[int, str], list[Slot]] = defaultdict(list)
    for slot in slots:
        by_key[(slot.patient_id, slot.instrument)].append(slot)
    filled: dict[Slot, T] = {}
    for key, group in by_key.items():
        free = sorted(answered.get(key, []), key=lambda pair: pair[0])
        for slot in sorted(group, key=lambda s: (s.closes, s.opens)):
            for i, (day, value) in enumerate(free):
                if slot.opens <= day <= slot.closes:
                    filled[slot] = value
                    del free[i]
                    break
    return filled


def match(slots: Iterable[Slot], answered: dict[tuple[int, str], list[tuple[dt.date, T]]]) -> set[Slot]:
    """The slots the responses satisfy (see assign)."""
    return set(assign(slots, answered))


def all_slots(patient_ids: Iterable[int], loaded: Sequence[Enrolment] = ()) -> list[Slot]:
    """Every slot of these patients' enrolments (all statuses: follow-ups outlive the end).
    One query when their programmes schedule nothing (Today pays that for every patient),
    three otherwise. `loaded`: some of their enrolments already loaded for plan_for (pauses
    and weeks prefetched, programs.schedule.load_for_plan), not read again: one query when
    they are all the patients' enrolments with a schedule."""
    ids = list(patient_ids)
    rules: dict[int, list[QuestionnaireSchedule]] = defaultdict(list)
    schedules = QuestionnaireSchedule.objects.filter(version__enrolments__patient_id__in=ids)
    if loaded:
        # One row per rule and enrolment (a patient's few): which enrolments exist comes with
        # the rules, so when Today loaded them all there is nothing more to read. (Without
        # `loaded`, a caseload's thousand enrolments would multiply the rows: plain rules.)
        schedules = schedules.annotate(enrolment_id=F("version__enrolments__id"))
    enrolments_of_rules: set[int] = set()
    for rule in schedules.distinct().order_by("pk"):
        enrolments_of_rules.add(getattr(rule, "enrolment_id", None) or 0)
        if rule not in rules[rule.version_id]:
            rules[rule.version_id].append(rule)
    if not rules:
        return []
    known = [e for e in loaded if e.version_id in rules]
    others = Enrolment.objects.filter(patient_id__in=ids, version_id__in=list(rules)).exclude(
        pk__in=[e.pk for e in loaded]
    )
    if loaded and enrolments_of_rules <= {e.pk for e in known}:
        others = others.none()
    others = others.annotate(week_count=Count("version__weeks")).prefetch_related(
        Prefetch("pauses", queryset=EnrolmentPause.objects.order_by("start"))
    )
    weeks = {e.pk: len(e.version.weeks.all()) for e in known}
    weeks.update({e.pk: e.week_count for e in others})  # type: ignore[attr-defined]  # annotated
    # The model's order (newest start first), as the query alone gave it.
    enrolments = sorted([*known, *others], key=lambda e: e.start_date, reverse=True)
    slots: list[Slot] = []
    for e in enrolments:
        slots += slots_for(e, rules[e.version_id], weeks[e.pk], list(e.pauses.all()))
    return slots


def answered_dates(
    patient_ids: Iterable[int], codes: Iterable[str], until: dt.date | None = None
) -> dict[tuple[int, str], list[tuple[dt.date, float | None]]]:
    """{(patient, code): [(local date, score)]} of the submitted responses."""
    rows = QuestionnaireResponse.objects.filter(
        patient_id__in=list(patient_ids), version__instrument__code__in=list(codes),
        status=QuestionnaireResponse.Status.SUBMITTED,
    )
    if until is not None:
        rows = rows.filter(local_date__lte=until)
    out: dict[tuple[int, str], list[tuple[dt.date, float | None]]] = defaultdict(list)
    fields = ("patient_id", "version__instrument__code", "local_date", "score")
    for pid, code, day, score in rows.values_list(*fields):
        out[(pid, code)].append((day, score))
    return out


def _available() -> dict[str, str]:
    """{code: title} of the instruments a patient can answer now (a published, enabled
    version): a slot for a disabled instrument is neither shown nor counted as missed.
    Deployment-wide and rarely changed: cached, forgotten on every write (outcomes.models),
    and kept a minute at most in case a write bypassed the ORM."""
    cached = cache.get(AVAILABLE_CACHE_KEY)
    if cached is None:
        cached = _read_available()
        cache.set(AVAILABLE_CACHE_KEY, cached, 60)
    return dict(cached)


def available_codes() -> list[str]:
    """The instruments a patient can answer now (cached, as above): what a page built from the
    schedule is keyed by (clinicians.caseload_rows)."""
    return sorted(_available())


def _read_available() -> dict[str, str]:
    versions = InstrumentVersion.objects.filter(
        status=InstrumentVersion.Status.PUBLISHED, enabled=True
    ).select_related("instrument").order_by("instrument__code", "-number")
    out: dict[str, str] = {}
    for v in versions:
        out.setdefault(v.instrument.code, v.display_title)
    return out


def due_for(
    patient: User, local_date: dt.date, loaded: Sequence[Enrolment] = ()
) -> list[Slot]:
    """What `patient` is asked to answer on their `local_date`, soonest deadline first, one
    item per instrument (answering it satisfies the slot that closes first). `loaded`: the
    patient's enrolments a page already loaded for plan_for (see all_slots)."""
    # Closed slots take part in the matching too, so an answer counted for the baseline is not
    # counted again for week 1.
    slots = [s for s in all_slots([patient.pk], loaded) if s.opens <= local_date]
    if not any(local_date <= s.closes for s in slots):
        return []
    available = _available()
    slots = [s for s in slots if s.instrument in available]
    open_ = [s for s in slots if local_date <= s.closes]
    if not open_:
        return []
    done = match(slots, answered_dates([patient.pk], {s.instrument for s in open_}, local_date))
    due: dict[str, Slot] = {}
    for slot in sorted(open_, key=lambda s: (s.closes, s.opens)):
        if slot not in done and slot.instrument not in due:
            due[slot.instrument] = replace(slot, title=available[slot.instrument])
    return sorted(due.values(), key=lambda s: (s.closes, s.instrument))


def overdue_for(patients: Iterable[User], today: dt.date) -> dict[int, list[Slot]]:
    """{patient id: missed slots} for the clinician's "questionnaire overdue" flag: slots whose
    window closed before `today` without a response. Set-based: a fixed number of queries."""
    ids = [p.pk for p in patients]
    available = _available()
    slots = [s for s in all_slots(ids) if s.opens <= today and s.instrument in available]
    if not any(s.closes < today for s in slots):
        return {}
    done = match(slots, answered_dates(ids, {s.instrument for s in slots}, today))
    out: dict[int, list[Slot]] = defaultdict(list)
    for slot in sorted(slots, key=lambda s: s.closes):
        if slot.closes < today and slot not in done:
            out[slot.patient_id].append(slot)
    return dict(out)


RECENTLY_MISSED_DAYS = 28


def due_since(patient_ids: Iterable[int]) -> dict[int, dt.date]:
    """{patient id: the date their oldest unanswered questionnaire opened}, each patient on
    their own local date, for the caseload's "questionnaire overdue" flag (its threshold
    decides how late is late). Slots still open count, and missed ones for
    RECENTLY_MISSED_DAYS after their window closed: a baseline missed a year ago is history
    (the outcomes page counts it), not a flag. A fixed number of queries."""
    ids = list(patient_ids)
    users = User.objects.filter(pk__in=ids).select_related("patient_profile")
    todays = {u.pk: u.local_today() for u in users}
    if not todays:
        return {}
    available = _available()
    slots = [
        s for s in all_slots(ids)
        if s.instrument in available and s.opens <= todays[s.patient_id]
    ]
    done = match(slots, answered_dates(ids, {s.instrument for s in slots}, max(todays.values())))
    out: dict[int, dt.date] = {}
    for slot in slots:
        recent = slot.closes >= todays[slot.patient_id] - dt.timedelta(days=RECENTLY_MISSED_DAYS)
        if slot not in done and recent:
            out[slot.patient_id] = min(out.get(slot.patient_id, slot.opens), slot.opens)
    return out
