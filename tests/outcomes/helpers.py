"""Building blocks for the schedule tests: a programme version with a questionnaire schedule,
and submitted answers on a given local date."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from outcomes import services
from outcomes.models import Instrument, QuestionnaireResponse, QuestionnaireSchedule
from programs.models import ExerciseTemplate, Program, ProgramVersion, Week


def scheduled_version(rows: list[dict[str, Any]], weeks: int = 4, slug: str = "sched"):
    program = Program.objects.create(slug=slug, title=f"Programme {slug}")
    version = ProgramVersion.objects.create(program=program, number=1)
    for n in range(1, weeks + 1):
        Week.objects.create(version=version, number=n, title=f"Week {n}")
    ExerciseTemplate.objects.create(
        version=version, slug="w", kind="expressive_writing", title="Write", instructions="Write",
        weeks=list(range(1, weeks + 1)),
    )
    for row in rows:
        QuestionnaireSchedule.objects.create(version=version, **row)
    version.status = ProgramVersion.Status.PUBLISHED
    version.save()
    return version


def answer(patient, code: str, on: dt.date, answers: list[int] | None = None) -> QuestionnaireResponse:
    version = Instrument.objects.get(code=code).current_version()
    assert version is not None
    given = answers if answers is not None else [0] * len(version.items)
    extra = {q["key"]: 0 for q in version.extra_questions}
    return services.submit(patient, version, given, extra, on, uuid.uuid4()).response
