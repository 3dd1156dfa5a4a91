"""Small curricula built in code, for the rule, schedule and admin tests."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from programs import versions
from programs.models import ExerciseTemplate, Program, ProgramVersion, Session, Week


def exercise(slug: str, **fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "slug": slug,
        "kind": ExerciseTemplate.Kind.EXPRESSIVE_WRITING,
        "title": slug.replace("-", " ").capitalize(),
        "instructions": f"Instructions for {slug}.",
        "weeks": [1],
        "cadence": ExerciseTemplate.Cadence.DAILY,
    }
    values.update(fields)
    return values


def session(slug: str, **fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "slug": slug,
        "kind": Session.Kind.INDIVIDUAL,
        "title": slug.replace("-", " ").capitalize(),
        "week": 1,
        "day": 1,
        "duration_minutes": 45,
    }
    values.update(fields)
    return values


def build_version(
    slug: str = "home-programme",
    *,
    weeks: int = 3,
    exercises: list[dict[str, Any]] | None = None,
    sessions: list[dict[str, Any]] | None = None,
    publish: bool = False,
    education: bool = True,
    is_group: bool = False,
) -> ProgramVersion:
    """A draft (or published) version; by default one daily writing exercise in every week."""
    program, _ = Program.objects.get_or_create(
        slug=slug, defaults={"title": f"{slug} title", "is_group": is_group}
    )
    number = (program.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = ProgramVersion.objects.create(program=program, number=number)
    for n in range(1, weeks + 1):
        Week.objects.create(
            version=version,
            number=n,
            title=f"Week {n} title",
            goals=f"Goals of week {n}",
            education=f"Read chapter {n}." if education else "",
        )
    if exercises is None:
        exercises = [exercise("daily-writing", weeks=list(range(1, weeks + 1)))]
    for order, values in enumerate(exercises):
        ExerciseTemplate.objects.create(version=version, order=order, **values)
    for order, values in enumerate(sessions or []):
        Session.objects.create(version=version, order=order, **values)
    if publish:
        versions.publish(version)
        version.refresh_from_db()
    return version


# --- the same kind of curriculum as a YAML document ----------------------------------------

BASE: dict[str, Any] = {
    "program": {"slug": "test-programme", "title": "Test programme", "is_group": True},
    "version": {"number": 1, "description": "A small programme for tests."},
    "weeks": [
        {"number": 1, "title": "One", "education": "Your pain is real."},
        {"number": 2, "title": "Two"},
    ],
    "sessions": [
        {"slug": "group-2", "kind": "group", "title": "Group 2", "week": 2, "day": 3,
         "duration_minutes": 120},
        {"slug": "intake", "kind": "initial_consultation", "title": "Intake", "week": 1, "day": 1,
         "duration_minutes": 90, "agenda": "1. Hello\n2. History", "placeholder": True},
    ],
    "exercises": [
        {"slug": "writing", "kind": "expressive_writing", "title": "Write",
         "instructions": "Write for 20 minutes.", "prompt": "To whom:\nDear ...",
         "weeks": [1, 2], "cadence": "daily"},
        {"slug": "walk", "kind": "physical_activity", "title": "Walk", "instructions": "Walk.",
         "weeks": [2], "cadence": "times_per_week", "times_per_week": 5, "rest_days": [6, 5]},
        {"slug": "audio", "kind": "meditation_audio", "title": "Listen", "instructions": "Listen.",
         "media_url": "https://clinic.example/audio.mp3", "weeks": [1],
         "cadence": "weekdays", "weekdays": [0, 2, 4]},
        {"slug": "read", "kind": "reading", "title": "Read", "instructions": "Read it.",
         "weeks": [1], "cadence": "once", "once_week": 1, "once_day": 2,
         "estimated_minutes": 30},
    ],
}


def doc(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return data


def text(data: dict[str, Any] | None = None) -> str:
    return yaml.safe_dump(data if data is not None else BASE, sort_keys=False, allow_unicode=True)
