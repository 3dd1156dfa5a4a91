"""Programmes, enrolments and a frozen Wednesday shared by the patient-day tests.

Day 1 of every test programme is Monday 2 March 2026; the `at_wednesday` fixture (tests/conftest.py)
freezes the clock at 10:00 on its Wednesday in New York, the patient persona's zone.
"""

from __future__ import annotations

import datetime as dt

from programs.models import (
    Cohort,
    CohortMembership,
    Enrolment,
    ExerciseTemplate,
    Program,
    ProgramVersion,
    Session,
    Week,
)
from programs.schedule import prefetch_for_plan
from recovery.models import Clinic

MONDAY = dt.date(2026, 3, 2)  # day 1 of the test programmes
# 15:00 UTC is 10:00 on Wednesday 4 March in New York (the patient fixture's zone): day 3.
WEDNESDAY_NOON_UTC = dt.datetime(2026, 3, 4, 15, 0, tzinfo=dt.UTC)
WEDNESDAY = dt.date(2026, 3, 4)


def make_version(
    exercises: int = 2,
    weeks: int = 3,
    slug: str = "mbm",
    title: str = "MBM workshop",
    sessions: list[dict] | None = None,
    extra: list[dict] | None = None,
) -> ProgramVersion:
    """A published programme: `exercises` daily exercises in every week (the first a writing
    exercise, the second a meditation, the rest readings), plus `extra` ones as given."""
    program = Program.objects.create(slug=slug, title=title)
    version = ProgramVersion.objects.create(program=program, number=1)
    all_weeks = list(range(1, weeks + 1))
    for n in all_weeks:
        Week.objects.create(
            version=version, number=n, title=f"Week {n} theme",
            goals=f"Aims of week {n}.", education=f"Reading for week {n}.",
        )
    kinds = ["expressive_writing", "meditation_audio"]
    for i in range(exercises):
        kind = kinds[i] if i < len(kinds) else "reading"
        ExerciseTemplate.objects.create(
            version=version, slug=f"ex-{i}", kind=kind, title=f"Exercise {i} {kind}",
            instructions=f"Instructions {i}.", prompt="What is on your mind?" if i == 0 else "",
            estimated_minutes=10 + i, weeks=all_weeks, order=i,
        )
    for i, fields in enumerate(extra or []):
        defaults = {"kind": "reading", "instructions": "Read.", "weeks": all_weeks, "order": 50 + i}
        ExerciseTemplate.objects.create(version=version, **{**defaults, **fields})
    for i, fields in enumerate(sessions or []):
        defaults = {"slug": f"s-{i}", "kind": "group", "title": f"Session {i}", "duration_minutes": 120}
        Session.objects.create(version=version, **{**defaults, **fields})
    version.status = ProgramVersion.Status.PUBLISHED
    version.save()
    return version


def enrol(patient, clinician, version: ProgramVersion, start: dt.date = MONDAY, **fields) -> Enrolment:
    return Enrolment.objects.create(
        patient=patient, clinician=clinician, version=version, start_date=start, **fields
    )


def loaded(enrolment: Enrolment) -> Enrolment:
    return prefetch_for_plan(Enrolment.objects.filter(pk=enrolment.pk)).get()


def exercise(version: ProgramVersion, slug: str = "ex-0") -> ExerciseTemplate:
    return version.exercises.get(slug=slug)


def make_cohort(version: ProgramVersion, enrolment: Enrolment) -> Cohort:
    """A Tuesday group with a room and a video link, with `enrolment` in it."""
    group = Cohort.objects.create(
        clinic=Clinic.default(), version=version, name="Tuesday group", start_date=MONDAY,
        location="Room 4", video_link="https://video.example.test/room4",
    )
    CohortMembership.objects.create(cohort=group, enrolment=enrolment)
    return group
