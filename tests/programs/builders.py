"""Small curricula built in code, for the rule, schedule and admin tests."""

from __future__ import annotations

from typing import Any

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
) -> ProgramVersion:
    """A draft (or published) version; by default one daily writing exercise in every week."""
    program, _ = Program.objects.get_or_create(slug=slug, defaults={"title": f"{slug} title"})
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
