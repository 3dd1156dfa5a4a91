"""What a patient owes on a date: properties of plan_for over generated versions and over every
shipped curriculum (programs/curricula/*.yaml), plus pauses and version isolation."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from programs import enrolments, versions
from programs.models import Enrolment, EnrolmentPause, ExerciseTemplate, ProgramVersion
from programs.schedule import DayPlan, plan_for, prefetch_for_plan, programme_date
from programs.schedule import programme_day_index as day_index
from tests.factories import ClinicianFactory, PatientFactory
from tests.programs.builders import build_version, exercise, session

CURRICULA = sorted((Path(__file__).resolve().parents[2] / "programs" / "curricula").glob("*.yaml"))
Cadence = ExerciseTemplate.Cadence
MONDAY = dt.date(2025, 3, 3)


# --- checking one enrolment ---------------------------------------------------------------------


@dataclass
class Timeline:
    enrolment: Enrolment
    plans: dict[dt.date, DayPlan]
    index_date: dict[int, dt.date]  # programme day -> calendar date


def paused_on(enrolment: Enrolment, day: dt.date) -> bool:
    return any(p.start <= day and (p.end is None or day < p.end) for p in enrolment.pauses.all())


def timeline(enrolment: Enrolment) -> Timeline:
    """plan_for on every date from a few days before the start until well after the end."""
    enrolment = prefetch_for_plan(Enrolment.objects.filter(pk=enrolment.pk)).get()
    weeks = len(enrolment.version.weeks.all())
    paused = sum(
        ((p.end or enrolment.start_date) - max(p.start, enrolment.start_date)).days
        for p in enrolment.pauses.all()
        if p.end and p.end > enrolment.start_date
    )
    first = enrolment.start_date - dt.timedelta(days=3)
    last = enrolment.start_date + dt.timedelta(days=weeks * 7 + paused + 3)
    plans = {}
    day = first
    while day <= last:
        plans[day] = plan_for(enrolment, day)
        day += dt.timedelta(days=1)
    index_date = {p.day_index: d for d, p in plans.items() if p.state == "active"}
    return Timeline(enrolment, plans, index_date)


def expected_count(ex: ExerciseTemplate, dates: list[dt.date]) -> int:
    """How often `ex` is due in a programme week falling on `dates` (in a week it is active)."""
    rest = set(ex.rest_days)
    free = [d for d in dates if d.weekday() not in rest]
    if ex.cadence == Cadence.DAILY:
        return len(free)
    if ex.cadence == Cadence.WEEKDAYS:
        return sum(d.weekday() in set(ex.weekdays) for d in free)
    if ex.cadence == Cadence.TIMES_PER_WEEK:
        return min(ex.times_per_week, len(free))
    raise AssertionError(ex.cadence)


def configured_count(ex: ExerciseTemplate) -> int:
    """The count an admin configured, for an unbroken week of seven consecutive dates."""
    rest = set(ex.rest_days)
    if ex.cadence == Cadence.DAILY:
        return 7 - len(rest)
    if ex.cadence == Cadence.WEEKDAYS:
        return len(set(ex.weekdays) - rest)
    return ex.times_per_week


def check_plan_properties(enrolment: Enrolment) -> Timeline:
    t = timeline(enrolment)
    e = t.enrolment
    version = e.version
    n = len(version.weeks.all())
    exercises = list(version.exercises.all())
    ended_on = e.completed_on or e.withdrawn_on
    due: Counter[tuple[int, int]] = Counter()
    once: Counter[int] = Counter()
    last_day = t.index_date.get(n * 7 - 1)
    for day, plan in t.plans.items():
        if ended_on is not None and day >= ended_on:
            assert plan.state == "finished", (day, plan.state)
        elif day < e.start_date:
            assert plan.state == "not_started", day
        elif last_day is not None and day > last_day:
            assert plan.state == "finished", (day, plan.state)  # even in a later pause
        elif paused_on(e, day):
            assert plan.state == "paused", day
        else:
            assert plan.state in ("active", "finished"), (day, plan.state)
        if plan.state != "active":
            assert plan.exercises == () and plan.sessions == ()
            continue
        assert plan.week is not None and plan.day is not None
        assert 1 <= plan.week <= n and 1 <= plan.day <= 7
        for ex in plan.exercises:
            assert plan.week in ex.weeks, (ex.slug, plan.week)
            assert day.weekday() not in ex.rest_days, (ex.slug, day)
            if ex.cadence == Cadence.WEEKDAYS:
                assert day.weekday() in ex.weekdays
            due[(ex.pk, plan.week)] += 1
            if ex.cadence == Cadence.ONCE:
                once[ex.pk] += 1
        for s in plan.sessions:
            assert (s.week, s.day) == (plan.week, plan.day)
    if ended_on is not None:
        return t
    # Every programme day happens exactly once, in order, and then the programme is finished.
    assert sorted(t.index_date) == list(range(n * 7))
    assert [t.index_date[i] for i in range(n * 7)] == sorted(t.index_date.values())
    last = max(t.plans)
    assert t.plans[last].state == "finished"
    for s in version.sessions.all():
        day = t.index_date[(s.week - 1) * 7 + s.day - 1]
        assert s in t.plans[day].sessions
    for ex in exercises:
        if ex.cadence == Cadence.ONCE:
            assert once[ex.pk] == 1, ex.slug
            continue
        for week in range(1, n + 1):
            count = due[(ex.pk, week)]
            if week not in ex.weeks:
                assert count == 0
                continue
            dates = [t.index_date[(week - 1) * 7 + i] for i in range(7)]
            assert count == expected_count(ex, dates), (ex.slug, week)
            if (dates[-1] - dates[0]).days == 6:  # an unbroken week
                assert count == configured_count(ex), (ex.slug, week)
    return t


# --- generated versions ---------------------------------------------------------------------


@st.composite
def exercise_specs(draw: st.DrawFn, n_weeks: int, slug: str) -> dict:
    weeks = sorted(draw(st.sets(st.integers(1, n_weeks), min_size=1)))
    cadence = draw(st.sampled_from(list(Cadence)))
    fields: dict = {"weeks": weeks, "cadence": cadence}
    if cadence == Cadence.ONCE:
        fields["once_week"] = draw(st.none() | st.sampled_from(weeks))
        fields["once_day"] = draw(st.integers(1, 7))
        return exercise(slug, **fields)
    rest = sorted(draw(st.sets(st.integers(0, 6), max_size=6)))
    fields["rest_days"] = rest
    if cadence == Cadence.WEEKDAYS:
        working = sorted(set(range(7)) - set(rest))
        # A weekday that is also a rest day is refused at publish (programs.validation).
        fields["weekdays"] = sorted(draw(st.sets(st.sampled_from(working), min_size=1)))
    elif cadence == Cadence.TIMES_PER_WEEK:
        fields["times_per_week"] = draw(st.integers(1, 7 - len(rest)))
    return exercise(slug, **fields)


@st.composite
def version_specs(draw: st.DrawFn) -> dict:
    n = draw(st.integers(1, 8))
    n_ex = draw(st.integers(1, 4))
    exercises = [draw(exercise_specs(n, f"ex-{i}")) for i in range(n_ex)]
    sessions = [
        session(f"s-{i}", week=draw(st.integers(1, n)), day=draw(st.integers(1, 7)))
        for i in range(draw(st.integers(0, 3)))
    ]
    return {"weeks": n, "exercises": exercises, "sessions": sessions}


start_dates = st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31))


class GeneratedVersionProperties(HypothesisTestCase):
    """Each example runs in its own transaction, rolled back afterwards."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.patient = PatientFactory(email="prop-patient@example.test")
        cls.other = PatientFactory(email="prop-other@example.test")
        cls.clinician = ClinicianFactory(email="prop-doc@example.test", totp=False)

    def publish(self, spec: dict) -> ProgramVersion:
        version = build_version("generated", **spec)
        assert versions.validation_errors(version) == []
        return versions.publish(version)

    def enrol(self, version: ProgramVersion, start: dt.date, patient=None) -> Enrolment:
        return enrolments.enrol(patient or self.patient, self.clinician, start, version=version)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        spec=version_specs(),
        start=start_dates,
        pauses=st.lists(st.tuples(st.integers(0, 40), st.integers(1, 12)), max_size=2),
    )
    def test_cadences_rest_days_weeks_and_pauses(self, spec, start, pauses) -> None:
        version = self.publish(spec)
        enrolment = self.enrol(version, start)
        at = start
        for gap, length in pauses:
            at += dt.timedelta(days=gap)
            EnrolmentPause.objects.create(
                enrolment=enrolment, start=at, end=at + dt.timedelta(days=length)
            )
            at += dt.timedelta(days=length)
        check_plan_properties(enrolment)

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(spec=version_specs(), start=start_dates, data=st.data())
    def test_completion_or_withdrawal_finishes_the_plan(self, spec, start, data) -> None:
        version = self.publish(spec)
        enrolment = self.enrol(version, start)
        on = start + dt.timedelta(days=data.draw(st.integers(-2, spec["weeks"] * 7 + 2)))
        end = data.draw(st.sampled_from([enrolments.complete, enrolments.withdraw]))
        end(enrolment, on)
        t = check_plan_properties(enrolment)
        assert all(p.state == "finished" for d, p in t.plans.items() if d >= on)

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        spec=version_specs(),
        start=start_dates,
        pause_at=st.integers(-3, 30),
        k=st.integers(1, 15),
    )
    def test_a_pause_of_k_days_shifts_every_later_day_by_k(self, spec, start, pause_at, k):
        version = self.publish(spec)
        unpaused = self.enrol(version, start, patient=self.other)
        plain = timeline(unpaused).plans
        paused = self.enrol(version, start)
        pause_start = start + dt.timedelta(days=pause_at)
        enrolments.pause(paused, pause_start)
        enrolments.resume(paused, pause_start + dt.timedelta(days=k))
        shift = len([d for d in range(k) if pause_start + dt.timedelta(days=d) >= start])
        plans = timeline(paused).plans
        for day, plan in plans.items():
            if pause_start <= day < pause_start + dt.timedelta(days=k):
                if day < start:
                    assert plan.state == "not_started"
                elif plan_for(unpaused, pause_start).state == "finished":
                    assert plan.state == "finished"  # a pause after the end changes nothing
                else:
                    assert plan.state == "paused"
                assert plan.exercises == ()
                continue
            before = day < pause_start
            same = plain.get(day if before else day - dt.timedelta(days=shift))
            if same is None:
                continue
            if before:
                assert (plan.state, plan.day_index) == (same.state, same.day_index)
                # "N times a week" may re-spread the days of the week the pause splits.
                assert [e for e in plan.exercises if e.cadence != Cadence.TIMES_PER_WEEK] == [
                    e for e in same.exercises if e.cadence != Cadence.TIMES_PER_WEEK
                ]
            else:
                assert plan.day_index == same.day_index
                assert plan.sessions == same.sessions
                # Exercises tied to no weekday move with the programme; all do for whole weeks.
                free = [
                    e for e in plan.exercises + same.exercises
                    if e.cadence in (Cadence.DAILY, Cadence.ONCE) and not e.rest_days
                ]
                assert {e for e in plan.exercises if e in free} == {
                    e for e in same.exercises if e in free
                }
                if shift % 7 == 0:
                    assert plan.exercises == same.exercises


# --- pure helpers -----------------------------------------------------------------------------


@settings(max_examples=200)
@given(
    start=start_dates,
    offset=st.integers(-5, 10),
    length=st.integers(1, 10),
    index=st.integers(0, 60),
)
def test_programme_date_inverts_programme_day_index(start, offset, length, index) -> None:
    pause = EnrolmentPause(
        start=start + dt.timedelta(days=offset),
        end=start + dt.timedelta(days=offset + length),
    )
    day = programme_date(start, index, [pause])
    assert day is not None
    assert day_index(start, day, [pause]) == index


def test_an_open_pause_hides_later_dates() -> None:
    pause = EnrolmentPause(start=MONDAY + dt.timedelta(days=2), end=None)
    assert programme_date(MONDAY, 1, [pause]) == MONDAY + dt.timedelta(days=1)
    assert programme_date(MONDAY, 2, [pause]) is None
    assert day_index(MONDAY, MONDAY + dt.timedelta(days=9), [pause]) is None


def test_a_pause_begun_before_day_one_shifts_only_by_its_days_after_the_start() -> None:
    pause = EnrolmentPause(start=MONDAY - dt.timedelta(days=2), end=MONDAY + dt.timedelta(days=3))
    assert day_index(MONDAY, MONDAY + dt.timedelta(days=3), [pause]) == 0


# --- concrete cases ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_times_per_week_stays_exact_when_a_pause_splits_the_week(patient, clinician) -> None:
    version = build_version(
        weeks=2,
        exercises=[exercise("walk", weeks=[1, 2], cadence=Cadence.TIMES_PER_WEEK,
                            times_per_week=3, rest_days=[6])],
        publish=True,
    )
    enrolment = enrolments.enrol(patient, clinician, MONDAY, version=version)
    enrolments.pause(enrolment, MONDAY + dt.timedelta(days=2))
    enrolments.resume(enrolment, MONDAY + dt.timedelta(days=5))
    t = check_plan_properties(enrolment)
    due = Counter(p.week for p in t.plans.values() for _ in p.exercises)
    assert due == {1: 3, 2: 3}


@pytest.mark.django_db
def test_plan_for_a_prefetched_caseload_costs_no_queries(
    patient, clinician, django_assert_num_queries
) -> None:
    version = build_version(sessions=[session("intro")], publish=True)
    enrolments.enrol(patient, clinician, MONDAY, version=version)
    caseload = list(prefetch_for_plan(Enrolment.objects.all()))
    with django_assert_num_queries(0):
        plan = plan_for(caseload[0], MONDAY)
    assert plan.label.startswith("Week 1, day 1 of the")
    assert [s.slug for s in plan.sessions] == ["intro"]


@pytest.mark.django_db
def test_an_enrolled_patients_plan_survives_a_new_published_version(patient, clinician) -> None:
    v1 = build_version(
        weeks=2,
        exercises=[exercise("letter", weeks=[1, 2], cadence=Cadence.WEEKDAYS, weekdays=[0, 3])],
        sessions=[session("consult", week=1, day=1)],
        publish=True,
    )
    enrolment = enrolments.enrol(patient, clinician, MONDAY, version=v1)

    def snapshot(e: Enrolment) -> list[tuple]:
        t = timeline(e)
        return [
            (d, p.state, p.day_index, [x.slug for x in p.exercises], [s.slug for s in p.sessions])
            for d, p in t.plans.items()
        ]

    before = snapshot(enrolment)
    draft = versions.new_draft_from(v1)
    letter = draft.exercises.get(slug="letter")
    letter.weekdays, letter.estimated_minutes = [1, 2, 4], 25
    letter.save()
    draft.sessions.all().delete()
    week3 = draft.weeks.create(number=3, title="Extra week", education="Read more.")
    versions.publish(draft)
    assert week3.version_id == draft.pk

    enrolment.refresh_from_db()
    assert enrolment.version_id == v1.pk
    assert snapshot(enrolment) == before
    v1.refresh_from_db()
    assert v1.status == ProgramVersion.Status.RETIRED

    newcomer = PatientFactory(email="newcomer@example.test")
    new = enrolments.enrol(newcomer, clinician, MONDAY, program=v1.program)
    assert new.version_id == draft.pk
    assert [x.slug for x in plan_for(new, MONDAY + dt.timedelta(days=1)).exercises] == ["letter"]


# --- shipped curricula ------------------------------------------------------------------------


def test_curricula_ship() -> None:
    # The parametrised test below would pass vacuously if the folder were empty or moved.
    assert len(CURRICULA) >= 4


@pytest.mark.django_db
@pytest.mark.parametrize("path", CURRICULA, ids=[p.stem for p in CURRICULA])
def test_shipped_curriculum_plans(path: Path, patient, clinician) -> None:
    yaml_io = pytest.importorskip("programs.yaml_io")
    version = yaml_io.import_curriculum(path)
    assert version.status == ProgramVersion.Status.PUBLISHED
    assert versions.validation_errors(version) == []
    # Every weekday as day 1, then one start with a mid-week pause.
    for offset in range(7):
        enrolment = enrolments.enrol(patient, clinician, MONDAY + dt.timedelta(days=offset),
                                   version=version)
        check_plan_properties(enrolment)
        enrolment.delete()
    enrolment = enrolments.enrol(patient, clinician, MONDAY, version=version)
    enrolments.pause(enrolment, MONDAY + dt.timedelta(days=9), "flu")
    enrolments.resume(enrolment, MONDAY + dt.timedelta(days=13))
    check_plan_properties(enrolment)
