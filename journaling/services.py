"""The patient's day: check-ins, exercise completions, week progress, and everything the
Today page shows, gathered in a fixed number of queries.

Every function takes the patient's *local* date (`user.local_today()`), never the server's.
Writes are idempotent: a double click or a retried request never creates a second row.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from journaling.dates import zone_label
from journaling.kinds import entry_kind_for
from journaling.models import CheckIn, ExerciseCompletion
from journaling.progress import week_adherence
from programs.i18n import localized
from programs.models import Enrolment, ExerciseTemplate, Occurrence, Session, Week
from programs.schedule import DayPlan, load_for_plan, plan_for, programme_date
from recovery.models import User

LOOKAHEAD_DAYS = 14  # how far ahead the plan is searched for the next appointment


# --- exercise completions -----------------------------------------------------------------


def _done_on(patient: User, exercise: ExerciseTemplate, local_date: dt.date) -> ExerciseCompletion | None:
    return ExerciseCompletion.objects.filter(
        patient=patient, exercise=exercise, local_date=local_date
    ).first()


def complete_exercise(
    patient: User,
    enrolment: Enrolment,
    exercise: ExerciseTemplate,
    local_date: dt.date,
    minutes: int | None = None,
    note: str = "",
) -> ExerciseCompletion:
    """Mark `exercise` done on `local_date`. Idempotent: doing it again returns the first row.

    Only an exercise that the plan says is due that day (or one already done that day) can be
    completed; anything else raises ValidationError.
    """
    if enrolment.patient_id != patient.pk or exercise.version_id != enrolment.version_id:
        raise ValidationError(_("This exercise is not part of your programme."))
    existing = _done_on(patient, exercise, local_date)
    if existing is not None:
        return existing
    if exercise.pk not in {ex.pk for ex in plan_for(enrolment, local_date).exercises}:
        raise ValidationError(_("This exercise is not due today."))
    if minutes is not None and not 0 < minutes <= 600:
        raise ValidationError({"minutes": _("Minutes must be a whole number from 1 to 600.")})
    try:
        # The savepoint keeps an outer transaction usable after a lost race.
        with transaction.atomic():
            return ExerciseCompletion.objects.create(
                patient=patient,
                enrolment=enrolment,
                exercise=exercise,
                local_date=local_date,
                minutes=minutes,
                note=(note or "").strip(),
            )
    except IntegrityError:
        # A double click or a retried request got there first: one row per day (DB constraint).
        return ExerciseCompletion.objects.get(
            patient=patient, exercise=exercise, local_date=local_date
        )


def undo_completion(patient: User, exercise: ExerciseTemplate, local_date: dt.date) -> bool:
    """Remove the completion of `local_date`, if any. Returns whether there was one."""
    deleted, _ = ExerciseCompletion.objects.filter(
        patient=patient, exercise=exercise, local_date=local_date
    ).delete()
    return deleted > 0


# --- the programme week -------------------------------------------------------------------


@dataclass(frozen=True)
class WeekProgress:
    """This programme week so far: exercises done of those due up to today (the count
    History's adherence shows for the same week), and days checked in."""

    done: int
    due: int
    checkin_days: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.due) if self.due else 0


def programme_week_dates(plan: DayPlan) -> list[dt.date]:
    """Calendar dates of the 7 days of the programme week `plan` falls in (a pause in the
    middle of the week pushes its later days on); empty unless the plan is active."""
    if plan.state != "active" or plan.day_index is None or plan.day is None:
        return []
    enrolment = plan.enrolment
    pauses = list(enrolment.pauses.all())
    first = plan.day_index - (plan.day - 1)
    dates = (programme_date(enrolment.start_date, first + i, pauses) for i in range(7))
    return [d for d in dates if d is not None]


def _week_progress(
    plan: DayPlan,
    dates: Sequence[dt.date],
    completions: Iterable[tuple[int, dt.date]],
    checkin_dates: Iterable[dt.date],
) -> WeekProgress:
    """`completions`: (exercise id, local date) pairs logged for `plan`'s enrolment."""
    assert plan.week is not None  # only an active plan has week dates
    week = week_adherence(plan.enrolment, plan.week, dates, completions, plan.local_date)
    so_far = {day for day in dates if day <= plan.local_date}
    return WeekProgress(done=week.done, due=week.due, checkin_days=len(so_far & set(checkin_dates)))


def week_progress(enrolment: Enrolment, local_date: dt.date) -> WeekProgress:
    """Exercises done of those due so far this programme week, and days checked in that week.

    `enrolment` should come through prefetch_for_plan; then this costs 2 queries.
    """
    plan = plan_for(enrolment, local_date)
    dates = programme_week_dates(plan)
    if not dates:
        return WeekProgress(done=0, due=0, checkin_days=0)
    completions = ExerciseCompletion.objects.filter(
        enrolment=enrolment, local_date__in=dates
    ).values_list("exercise_id", "local_date")
    checkins = CheckIn.objects.filter(
        patient_id=enrolment.patient_id, local_date__in=dates
    ).values_list("local_date", flat=True)
    return _week_progress(plan, dates, list(completions), list(checkins))


# --- everything the Today page shows -------------------------------------------------------


@dataclass
class ExerciseCard:
    enrolment: Enrolment
    exercise: ExerciseTemplate
    completion: ExerciseCompletion | None = None

    @property
    def done(self) -> bool:
        return self.completion is not None

    @property
    def entry_kind(self) -> str | None:
        return entry_kind_for(self.exercise)

    @property
    def is_meditation(self) -> bool:
        return self.exercise.kind == ExerciseTemplate.Kind.MEDITATION_AUDIO


@dataclass
class ProgrammeToday:
    enrolment: Enrolment
    plan: DayPlan
    week: Week | None = None
    cards: list[ExerciseCard] = field(default_factory=list)
    progress: WeekProgress | None = None

    @property
    def label(self) -> str:
        return self.plan.label


@dataclass(frozen=True)
class NextMeeting:
    title: str
    kind: str
    local_date: dt.date
    time_zone: str
    starts_at: dt.datetime | None = None  # UTC; None for a planned session not yet booked
    duration_minutes: int | None = None
    location: str = ""
    video_link: str = ""

    @property
    def zone_label(self) -> str:
        return zone_label(self.time_zone)


@dataclass
class TodayContext:
    local_date: dt.date
    programmes: list[ProgrammeToday]
    checkin: CheckIn | None
    next_meeting: NextMeeting | None

    @property
    def enrolled(self) -> bool:
        return bool(self.programmes)

    @property
    def has_progress(self) -> bool:
        return any(p.progress is not None for p in self.programmes)

    def card(self, exercise_id: int) -> ExerciseCard | None:
        for programme in self.programmes:
            for card in programme.cards:
                if card.exercise.pk == exercise_id:
                    return card
        return None


def today_enrolments(patient: User) -> list[Enrolment]:
    """The programmes Today shows, loaded for plan_for (2 queries once their published
    versions' content is cached in the process, 5 before): the open enrolments; if none, the
    most recently completed one (to say "you finished")."""
    open_ = load_for_plan(
        Enrolment.objects.filter(patient=patient).open().order_by("start_date", "pk")
    )
    if open_:
        return open_
    return load_for_plan(
        Enrolment.objects.filter(patient=patient, status=Enrolment.Status.COMPLETED).order_by(
            "-completed_on", "-start_date", "-pk"
        )[:1]
    )


def _cards(
    enrolment: Enrolment, plan: DayPlan, done_today: dict[int, ExerciseCompletion]
) -> list[ExerciseCard]:
    """The exercise cards of one programme on the plan's day: what is due, and what was
    already done that day (due or not, so it can be undone), in the programme's order."""
    exercises = {ex.pk: ex for ex in enrolment.version.exercises.all()}
    due = [ex.pk for ex in plan.exercises]
    also_done = [pk for pk in exercises if pk in done_today and pk not in due]
    return [
        ExerciseCard(enrolment, exercises[pk], done_today.get(pk))
        for pk in sorted(due + also_done, key=lambda pk: (exercises[pk].order, pk))
    ]


def find_card(
    patient: User, enrolments: Sequence[Enrolment], exercise_id: int, local_date: dt.date
) -> ExerciseCard | None:
    """The card `exercise_id` has on Today, if any, for the write paths (mark done, undo),
    without building the page: 1 query, with `enrolments` from today_enrolments."""
    completion = ExerciseCompletion.objects.filter(
        patient=patient, exercise_id=exercise_id, local_date=local_date
    ).first()
    done_today = {exercise_id: completion} if completion is not None else {}
    for enrolment in enrolments:
        if any(ex.pk == exercise_id for ex in enrolment.version.exercises.all()):
            cards = _cards(enrolment, plan_for(enrolment, local_date), done_today)
            card = next((c for c in cards if c.exercise.pk == exercise_id), None)
            if card is not None:
                return card
    return None


def _next_meeting(
    patient: User, enrolments: Sequence[Enrolment], local_date: dt.date
) -> NextMeeting | None:
    """The nearest cohort meeting; otherwise the next session the plan holds in 14 days."""
    open_ids = [e.pk for e in enrolments if e.is_open]
    if not open_ids:
        return None
    tz = patient.time_zone
    occurrence = (
        Occurrence.objects.filter(
            cohort__memberships__enrolment__in=open_ids,
            cancelled=False,
            starts_at__gte=timezone.now(),
        )
        .select_related("session", "cohort")
        .order_by("starts_at")
        .first()
    )
    if occurrence is not None:
        return NextMeeting(
            title=localized(occurrence.session, "title"),
            kind=occurrence.session.get_kind_display(),
            local_date=timezone.localtime(occurrence.starts_at, zoneinfo.ZoneInfo(tz)).date(),
            time_zone=tz,
            starts_at=occurrence.starts_at,
            duration_minutes=occurrence.duration_minutes,
            location=occurrence.location or occurrence.cohort.location,
            video_link=occurrence.cohort.video_link,
        )
    for offset in range(LOOKAHEAD_DAYS + 1):
        day = local_date + dt.timedelta(days=offset)
        for enrolment in enrolments:
            if not enrolment.is_open:
                continue
            sessions: tuple[Session, ...] = plan_for(enrolment, day).sessions
            if sessions:
                session = sessions[0]
                return NextMeeting(
                    title=localized(session, "title"),
                    kind=session.get_kind_display(),
                    local_date=day,
                    time_zone=tz,
                    duration_minutes=session.duration_minutes,
                )
    return None


def today_context(
    patient: User,
    local_date: dt.date,
    *,
    enrolments: list[Enrolment] | None = None,
    with_next_meeting: bool = True,
) -> TodayContext:
    """Everything the Today page needs, in a fixed number of queries (whatever the number of
    exercises): enrolments with their versions (5, none when `enrolments` come from
    today_enrolments already), completions (1), check-ins (1), and the next cohort meeting
    (1, skipped without `with_next_meeting`: the partials that answer a write don't show it).
    """
    if enrolments is None:
        enrolments = today_enrolments(patient)
    plans = [(e, plan_for(e, local_date)) for e in enrolments]
    week_dates = {e.pk: programme_week_dates(plan) for e, plan in plans}
    span = [local_date, *(d for dates in week_dates.values() for d in dates)]
    first, last = min(span), max(span)

    completions = list(
        ExerciseCompletion.objects.filter(patient=patient, local_date__range=(first, last))
    )
    checkins = list(CheckIn.objects.filter(patient=patient, local_date__range=(first, last)))
    done_today = {c.exercise_id: c for c in completions if c.local_date == local_date}
    pairs: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    for c in completions:
        pairs[c.enrolment_id].append((c.exercise_id, c.local_date))
    checkin_dates = [c.local_date for c in checkins]

    programmes = []
    for enrolment, plan in plans:
        weeks = {w.number: w for w in enrolment.version.weeks.all()}
        dates = week_dates[enrolment.pk]
        programmes.append(
            ProgrammeToday(
                enrolment=enrolment,
                plan=plan,
                week=weeks.get(plan.week) if plan.week else None,
                cards=_cards(enrolment, plan, done_today),
                progress=(
                    _week_progress(plan, dates, pairs[enrolment.pk], checkin_dates)
                    if dates
                    else None
                ),
            )
        )
    return TodayContext(
        local_date=local_date,
        programmes=programmes,
        checkin=next((c for c in checkins if c.local_date == local_date), None),
        next_meeting=(
            _next_meeting(patient, enrolments, local_date) if with_next_meeting else None
        ),
    )
