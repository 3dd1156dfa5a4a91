"""One set of publishing rules: the YAML importer refuses exactly what the admin's publish
refuses, with the same words (issue 7: each carried its own cadence, rest-day and week rules)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from programs.models import ExerciseTemplate, ProgramVersion, Session, Week
from programs.versions import validation_errors
from programs.yaml_io import CurriculumError, import_curriculum, parse_curriculum
from tests.programs.builders import doc, text

pytestmark = pytest.mark.django_db


def importer_messages(change: Callable[[dict[str, Any]], Any]) -> list[str]:
    data = doc()
    change(data)
    try:
        parse_curriculum(text(data))
    except CurriculumError as exc:
        return [e.split(": ", 1)[1] for e in exc.errors]
    return []


def admin_messages(change: Callable[[ProgramVersion], Any]) -> list[str]:
    # The same document, stored as a draft, then edited as an admin would.
    version = import_curriculum(text(), publish=False)
    change(version)
    return [e.split(": ", 1)[1] for e in validation_errors(version)]


def audio(version: ProgramVersion) -> Any:
    return ExerciseTemplate.objects.filter(version=version, slug="audio")


CASES = {
    # The admin used to publish these; the importer refused them.
    "a weekday that is also a rest day": (
        lambda d: d["exercises"][2].update(rest_days=[0]),
        lambda v: audio(v).update(rest_days=[0]),
        ["Monday is also among its weekdays, so it would never be due then; remove it from one "
         "of the two lists."],
    ),
    "weekdays left over from another cadence": (
        lambda d: d["exercises"][0].update(weekdays=[1]),
        lambda v: ExerciseTemplate.objects.filter(version=v, slug="writing").update(weekdays=[1]),
        ["weekdays are only used with the cadence “On given weekdays”; clear them."],
    ),
    "a group session in a programme that is not a group programme": (
        lambda d: d["program"].update(is_group=False),
        lambda v: (setattr(v.program, "is_group", False), v.program.save()),
        ["a group session needs a group programme; make the programme a group programme "
         "(is_group) or choose another kind."],
    ),
    # The importer used to refuse these; the admin published them (and the schedule reads them).
    "a week with only education text": (
        lambda d: d.update(
            weeks=[*d["weeks"], {"number": 3, "title": "Three", "education": "Read on."}]
        ),
        lambda v: Week.objects.create(version=v, number=3, title="Three", education="Read on."),
        [],
    ),
    "a one-off exercise in its first week without once_week": (
        lambda d: d["exercises"][3].pop("once_week"),
        lambda v: ExerciseTemplate.objects.filter(version=v, slug="read").update(once_week=None),
        [],
    ),
    "a session on day 8": (
        lambda d: d["sessions"][1].update(day=8),
        lambda v: Session.objects.filter(version=v, slug="intake").update(day=8),
        None,  # the importer's schema catches it first, with its own words; both refuse
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_the_importer_and_the_admin_publish_apply_the_same_rules(case: str) -> None:
    change_doc, change_db, expected = CASES[case]
    from_importer = importer_messages(change_doc)
    from_admin = admin_messages(change_db)
    if expected is None:
        assert from_importer and from_admin
    else:
        assert from_importer == expected
        assert from_admin == expected


def test_group_session_is_defined_once() -> None:
    assert Session.GROUP_KINDS == (Session.Kind.GROUP, Session.Kind.RETREAT)
    assert Session(kind=Session.Kind.RETREAT).is_group_meeting
    assert not Session(kind=Session.Kind.FOLLOW_UP).is_group_meeting
