"""The patient page's Programme section (issue 9, item 1): enrol an existing patient, pause,
resume, complete, withdraw, through the engine, with the personas of every clinician URL."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from clinicians import care_teams
from programs.models import Enrolment, EnrolmentPause
from tests.clinicians.test_access import World, frozen_clock  # noqa: F401  (fixture)
from tests.conftest import client_for
from tests.factories import PatientFactory
from tests.programs.test_cohorts import make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> World:
    return World()


def url(w: World, action: str) -> str:
    return f"/clinic/patients/{w.patient.pk}/enrolments/{w.enrolment.pk}/{action}/"


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("action", ["pause", "resume", "complete", "withdraw"])
def test_wrong_people_get_404_and_change_nothing(w, action):
    if action == "resume":
        Enrolment.objects.filter(pk=w.enrolment.pk).update(status="paused")
    before = Enrolment.objects.get(pk=w.enrolment.pk).status
    for user in (w.colleague, w.foreign_clinician, w.foreign_admin, w.patient, w.other_patient):
        assert client_for(user).post(url(w, action)).status_code == 404, user.email
    assert Enrolment.objects.get(pk=w.enrolment.pk).status == before
    # GET is never a change.
    assert client_for(w.responsible).get(url(w, action)).status_code == 405


def test_pause_resume_complete_through_the_engine_idempotently(w):
    client = client_for(w.responsible)
    response = client.post(url(w, "pause"), {"reason": "Surgery"})
    assert response.status_code == 302
    assert "is paused" in said(response)[0]
    pause = EnrolmentPause.objects.get(enrolment=w.enrolment)
    assert (pause.reason, pause.start, pause.end) == ("Surgery", w.patient.local_today(), None)
    again = client.post(url(w, "pause"))
    assert "already paused" in said(again)[-1]
    assert EnrolmentPause.objects.filter(enrolment=w.enrolment).count() == 1

    client.post(url(w, "resume"))
    w.enrolment.refresh_from_db()
    assert w.enrolment.status == "active"
    assert EnrolmentPause.objects.get(enrolment=w.enrolment).end == w.patient.local_today()

    client.post(url(w, "complete"))
    w.enrolment.refresh_from_db()
    assert (w.enrolment.status, w.enrolment.completed_on) == ("completed", w.patient.local_today())
    refused = client.post(url(w, "withdraw"))
    assert "cannot be withdrawn" in said(refused)[-1]
    w.enrolment.refresh_from_db()
    assert w.enrolment.status == "completed"


def test_enrolment_of_another_patient_is_404(w):
    client = client_for(w.responsible)
    wrong = f"/clinic/patients/{w.patient.pk}/enrolments/{w.other_enrolment.pk}/pause/"
    assert client.post(wrong).status_code == 404
    assert Enrolment.objects.get(pk=w.other_enrolment.pk).status == "active"


def test_enrol_an_existing_patient_of_the_clinic(w):
    newcomer = PatientFactory(email="newcomer@example.test")
    care_teams.set_primary(newcomer, w.colleague, by=w.admin)
    other = make_version(slug="other-prog")
    client = client_for(w.colleague)
    data = {"program": other.program_id, "start_date": newcomer.local_today().isoformat()}
    path = f"/clinic/patients/{newcomer.pk}/enrolments/new/"
    first = client.post(path, data)
    second = client.post(path, data)  # a double click
    assert first.status_code == second.status_code == 302
    assert "already enrolled" in said(second)[-1]
    enrolment = Enrolment.objects.get(patient=newcomer)
    assert (enrolment.version, enrolment.clinician) == (other, w.colleague)
    # Someone outside the newcomer's team cannot enrol them.
    assert client_for(w.responsible).post(path, data).status_code == 404
    # Bad input: a clear message, nothing created.
    bad = client.post(path, {"program": "", "start_date": "soon"})
    assert bad.status_code == 302 and said(bad)
    assert Enrolment.objects.filter(patient=newcomer).count() == 1


def test_programme_page_shows_the_actions(w):
    page = client_for(w.responsible).get(f"/clinic/patients/{w.patient.pk}/enrolments/")
    html = page.content.decode()
    assert page.status_code == 200
    for action in ("pause", "complete", "withdraw"):
        assert url(w, action) in html
    assert url(w, "resume") not in html
