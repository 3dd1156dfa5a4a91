"""The screening form on the cohort page shows the latest PHQ-9 (score, band, item 9) and
starts from the decision it suggests; a severe PHQ-9 or item 9 above 0 stops joining until a
clinician records a decision after it (seed 003)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from outcomes.definitions import import_directory
from programs import cohorts
from programs.models import CohortMembership, Screening
from tests.factories import PatientFactory
from tests.outcomes.helpers import answer
from tests.programs.test_cohorts import enrol, make_cohort, make_version, ny_clinic

pytestmark = pytest.mark.django_db

SEVERE = [3, 3, 3, 3, 3, 3, 2, 2, 0]  # 22
MILD_WITH_ITEM_9 = [1, 1, 1, 1, 0, 0, 0, 0, 1]  # 5
NOW = dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def cohort(clinician):
    import_directory()
    ny_clinic()
    version = make_version("group-therapy", requires_screening=True, weeks=2)
    cohort = make_cohort(version, clinician, name="Thursday therapy group")
    cohorts.generate_occurrences(cohort)
    return cohort


def url(cohort, suffix: str = "") -> str:
    return f"/clinic/cohorts/{cohort.pk}/{suffix}"


def test_the_form_shows_the_latest_phq9_and_suggests_individual_care(
    cohort, clinician, clinician_client
):
    newcomer = PatientFactory(email="new@example.test", clinic=clinician.clinic)
    enrol(newcomer, clinician, cohort.version)
    answer(newcomer, "PHQ-9", dt.date(2026, 3, 10), SEVERE)
    page = clinician_client.get(url(cohort) + f"?screen={newcomer.pk}").content.decode()
    assert "Latest PHQ-9" in page
    assert "<td>22</td>" in page and "<td>Severe</td>" in page
    assert 'value="individual_first"' in page
    checked = page.split('value="individual_first"')[1].split(">")[0]
    assert "checked" in checked


def test_a_later_phq9_with_item_9_stops_a_cleared_patient_until_a_new_decision(
    cohort, clinician, clinician_client
):
    newcomer = PatientFactory(clinic=clinician.clinic)
    enrolment = enrol(newcomer, clinician, cohort.version)
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        cohorts.record_screening(newcomer, cohort.version.program, clinician,
                                 dt.date(2026, 3, 10), Screening.Outcome.CLEARED, "Fine.")
    with time_machine.travel(NOW - dt.timedelta(days=1), tick=False):
        answer(newcomer, "PHQ-9", dt.date(2026, 3, 11), MILD_WITH_ITEM_9)
    with time_machine.travel(NOW, tick=False):
        response = clinician_client.post(url(cohort, "members/"), {"patient": newcomer.pk},
                                         follow=True)
        assert "thoughts of self-harm" in response.content.decode()
        assert not CohortMembership.objects.exists()
        response = clinician_client.post(
            url(cohort, "screening/"),
            {"patient": newcomer.pk, "outcome": "cleared", "decided_on": "2026-03-12",
             "reason": "Seen today: passive thought, safety plan in place."},
            follow=True,
        )
    assert cohorts.is_member(cohort, newcomer), enrolment
