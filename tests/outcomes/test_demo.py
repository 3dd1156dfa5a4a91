"""The demo's outcomes: the demo patient has baseline answers, a week-1 PEG and a PEG due
today; former patients give the outcomes page figures; a second run changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from outcomes.models import QuestionnaireResponse
from outcomes.outcome_data import outcome_rows
from outcomes.schedule import due_for
from outcomes.statistics import summarise
from programs.models import Enrolment
from recovery.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def test_demo_patient_has_baselines_a_week_1_peg_and_a_peg_due_today(debug_on):
    call_command("seed_demo", stdout=StringIO())
    patient = User.objects.get(email="patient@demo.test")
    codes = set(
        QuestionnaireResponse.objects.filter(patient=patient)
        .values_list("version__instrument__code", flat=True)
    )
    assert {"PHQ-9", "GAD-7", "PEG-3", "PCS"} <= codes
    assert QuestionnaireResponse.objects.filter(
        patient=patient, version__instrument__code="PEG-3"
    ).count() == 2
    due = due_for(patient, patient.local_today())
    assert [(d.instrument, d.label) for d in due] == [("PEG-3", "week 2")]

    clinician = User.objects.get(email="clinician@demo.test")
    rows = outcome_rows(Enrolment.objects.filter(clinician=clinician), clinician.local_today())
    summary = summarise("All", rows)
    assert summary.pain_free["end"].percent is not None
    assert summary.pain_free["6 months"].denominator == 7
    assert summary.pain_free["6 months"].lost == 1
    assert not summary.changes["PEG-3"]["end"].suppressed

    before = QuestionnaireResponse.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert QuestionnaireResponse.objects.count() == before
