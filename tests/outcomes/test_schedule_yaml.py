"""The questionnaire schedule in the curriculum YAML (programs.yaml_io's `questionnaires:`
section), in new drafts, and frozen with its version."""

from __future__ import annotations

import pytest

from outcomes.models import QuestionnaireSchedule
from programs import versions
from programs.models import FrozenVersionError
from programs.yaml_io import (
    CURRICULA_DIR,
    CurriculumError,
    export_curriculum,
    import_curriculum,
    parse_curriculum,
)

SHIPPED = sorted(CURRICULA_DIR.glob("*.yaml"))


def _rows(version) -> list[tuple]:
    return sorted(
        version.questionnaire_schedules.values_list("instrument", "when", "week", "months",
                                                    "window_days")
    )


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_curriculum_has_a_schedule_that_round_trips(db, path):
    version = import_curriculum(path)
    rows = _rows(version)
    assert ("PHQ-9", "baseline", None, None, 7) in rows
    assert any(r[1] == "follow_up" for r in rows)
    text = export_curriculum(version)
    assert "questionnaires:" in text
    assert parse_curriculum(text) == parse_curriculum(path.read_text())
    # Importing the export again is the same version (nothing differs).
    assert import_curriculum(text) == version


def test_the_12_week_programme_keeps_the_pilots_measurement_points(db):
    version = import_curriculum(CURRICULA_DIR / "mind-body-12wk.yaml")
    peg = [r for r in _rows(version) if r[0] == "PEG-3"]
    points = {(w, wk, m) for _, w, wk, m, _ in peg}
    # Seed 004: baseline and weeks 4, 8, 13 (the end of the 12 weeks) and 26; 6 months after.
    assert {("baseline", None, None), ("week", 4, None), ("week", 8, None), ("end", None, None),
            ("week", 26, None), ("follow_up", None, 6)} <= points


def test_a_changed_schedule_under_the_same_number_is_refused(db):
    path = CURRICULA_DIR / "home-programme.yaml"
    import_curriculum(path)
    text = path.read_text().replace("{instrument: PEG-3, when: week, week: 2",
                                    "{instrument: PEG-3, when: week, week: 3")
    with pytest.raises(CurriculumError, match="content differs"):
        import_curriculum(text)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("{instrument: PHQ-10, when: baseline}", "questionnaires[0].instrument"),
        ("{instrument: PHQ-9, when: sometimes}", "questionnaires[0].when"),
        ("{instrument: PHQ-9, when: week}", "questionnaires[0].week: required"),
        ("{instrument: PHQ-9, when: follow_up}", "questionnaires[0].months: required"),
        ("{instrument: PHQ-9, when: end, months: 3}", "questionnaires[0].months: only"),
        ("{instrument: PHQ-9, when: end, window_days: 0}", "questionnaires[0].window_days"),
    ],
)
def test_a_bad_schedule_row_is_reported_with_its_path(db, row, message):
    text = (CURRICULA_DIR / "home-programme.yaml").read_text()
    text = text.split("\nquestionnaires:")[0] + f"\nquestionnaires:\n  - {row}\n"
    with pytest.raises(CurriculumError) as exc:
        parse_curriculum(text)
    assert any(e.startswith(message) for e in exc.value.errors), exc.value.errors


def test_a_duplicated_row_is_reported(db):
    text = (CURRICULA_DIR / "home-programme.yaml").read_text()
    text += "  - {instrument: GAD-7, when: baseline}\n"
    with pytest.raises(CurriculumError, match="the same as questionnaires"):
        parse_curriculum(text)


def test_a_new_draft_copies_the_schedule_and_the_published_one_stays_frozen(db):
    version = import_curriculum(CURRICULA_DIR / "mbm-workshop.yaml")
    draft = versions.new_draft_from(version)
    assert _rows(draft) == _rows(version)
    row = version.questionnaire_schedules.first()
    row.window_days = 3
    with pytest.raises(FrozenVersionError):
        row.save()
    with pytest.raises(FrozenVersionError):
        QuestionnaireSchedule.objects.filter(version=version).update(window_days=3)
    with pytest.raises(FrozenVersionError):
        QuestionnaireSchedule.objects.create(version=version, instrument="NRS", when="end")
    # The draft's copy is editable.
    copy = draft.questionnaire_schedules.first()
    copy.window_days = 3
    copy.save()
