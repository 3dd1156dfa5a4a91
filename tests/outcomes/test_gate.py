"""The PHQ-9 in the screening before a group (seed 003): a severe score or item 9 above 0 holds
the gate until a clinician records a decision after it."""

from __future__ import annotations

import datetime as dt

import pytest

from outcomes.gate import latest_phq9
from programs.models import Program, Screening
from programs.screening import record_screening, screening_refusal
from tests.factories import ClinicianFactory, PatientFactory

from .helpers import answer

SEVERE = [3, 3, 3, 3, 3, 3, 2, 2, 0]  # 22: severe, item 9 at 0
MILD_WITH_ITEM_9 = [1, 1, 1, 1, 0, 0, 0, 0, 1]  # 5: mild, item 9 at 1
MILD = [1, 1, 1, 1, 0, 0, 0, 0, 0]


@pytest.fixture
def setting(db, instruments):
    clinician = ClinicianFactory()
    patient = PatientFactory(clinic=clinician.clinic)
    program = Program.objects.create(slug="group", title="Group", is_group=True,
                                     requires_screening=True)
    return patient, clinician, program


def clear(patient, clinician, program):
    return record_screening(patient, program, clinician, clinician.local_today(),
                            Screening.Outcome.CLEARED, "Seen the PHQ-9; fine for the group.")


@pytest.mark.parametrize(
    ("answers", "words"), [(SEVERE, "severe depression"), (MILD_WITH_ITEM_9, "self-harm")]
)
def test_a_severe_phq9_or_item_9_holds_the_gate_until_a_new_decision(setting, answers, words):
    patient, clinician, program = setting
    clear(patient, clinician, program)
    assert screening_refusal(patient, program) is None
    answer(patient, "PHQ-9", dt.date.today(), answers)
    refusal = screening_refusal(patient, program)
    assert refusal and words in refusal and "PHQ-9" in refusal
    clear(patient, clinician, program)  # a clinician decides having seen it
    assert screening_refusal(patient, program) is None


def test_a_mild_phq9_leaves_the_decision_alone(setting):
    patient, clinician, program = setting
    clear(patient, clinician, program)
    answer(patient, "PHQ-9", dt.date.today(), MILD)
    assert screening_refusal(patient, program) is None


def test_a_programme_without_screening_is_not_gated(setting):
    patient, clinician, program = setting
    program.requires_screening = False
    program.save()
    answer(patient, "PHQ-9", dt.date.today(), SEVERE)
    assert screening_refusal(patient, program) is None


def test_the_summary_the_screening_form_shows(setting):
    patient, _, _ = setting
    assert latest_phq9(patient) is None
    answer(patient, "PHQ-9", dt.date.today(), MILD_WITH_ITEM_9)
    summary = latest_phq9(patient)
    assert summary is not None
    assert (summary.score, summary.band, summary.item9) == (5, "Mild", 1)
    assert summary.suggested_outcome == Screening.Outcome.INDIVIDUAL_FIRST
