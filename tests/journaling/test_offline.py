"""Replaying what a patient did offline (journaling/views/offline.py, issue 14 item 2): each
replay is idempotent, refuses with the server's reason, and 404s what is not the patient's."""

from __future__ import annotations

import uuid

import pytest

from journaling.models import CheckIn, ExerciseCompletion, JournalEntry
from tests.builders import (
    WEDNESDAY,
    enrol,
    exercise,
    make_version,
)
from tests.conftest import client_for
from tests.factories import AdminFactory, PatientFactory

CHECKIN = "/today/offline/check-in/"
SAVE = "/journal/offline/save/"


def done_url(ex) -> str:
    return f"/today/offline/exercises/{ex.pk}/done/"


pytestmark = pytest.mark.usefixtures("at_wednesday")  # every test at 10:00 on Wednesday


@pytest.fixture
def version(db):
    return make_version()


@pytest.fixture
def enrolment(patient, clinician, version):
    return enrol(patient, clinician, version)


def entry_post(client_id: str, body: str = "Words written on the train.", **extra) -> dict:
    return {"client_id": client_id, "base_revision": 0, "editor_id": "e1", "editor_seq": 3,
            "kind": "free_writing", "title": "On the train", "body": body,
            "visibility": "private", **extra}


# --- check-in ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_checkin_replayed_twice_is_saved_once(patient, patient_client):
    data = {"local_date": WEDNESDAY.isoformat(), "pain": 3, "stress": 4, "mood": 7, "note": "train"}
    for _ in range(2):
        response = patient_client.post(CHECKIN, data)
        assert response.status_code == 200
        assert response.json() == {"saved": True}
    checkin = CheckIn.objects.get(patient=patient)
    assert (checkin.local_date, checkin.pain, checkin.stress, checkin.mood, checkin.note) == (
        WEDNESDAY, 3, 4, 7, "train"
    )


@pytest.mark.django_db
def test_a_checkin_for_a_day_that_has_passed_is_refused_with_the_reason(patient_client):
    response = patient_client.post(CHECKIN, {"local_date": "2026-03-03", "pain": 3})
    assert response.status_code == 409
    assert response.json()["saved"] is False
    assert "That day has passed" in response.json()["error"]
    assert "3 March" in response.json()["error"] or "March 3" in response.json()["error"]
    assert not CheckIn.objects.exists()


@pytest.mark.django_db
def test_an_invalid_checkin_is_refused_with_the_services_reason(patient_client):
    day = WEDNESDAY.isoformat()
    response = patient_client.post(CHECKIN, {"local_date": day, "note": "only words"})
    assert response.status_code == 400
    assert response.json()["error"] == "Choose at least one of pain, stress or mood."
    response = patient_client.post(CHECKIN, {"local_date": day, "pain": 12})
    assert response.status_code == 400 and "Pain must be a whole number" in response.json()["error"]
    response = patient_client.post(CHECKIN, {"local_date": "yesterday", "pain": 2})
    assert response.status_code == 400 and "which day" in response.json()["error"]
    assert not CheckIn.objects.exists()


@pytest.mark.django_db
def test_offline_writes_are_for_patients_only(enrolment, version, clinician_client, client):
    ex = exercise(version)
    data = {"local_date": WEDNESDAY.isoformat(), "pain": 3}
    admin = client_for(AdminFactory())
    for staff in (clinician_client, admin):
        assert staff.post(CHECKIN, data).status_code == 404
        assert staff.post(done_url(ex), data).status_code == 404
        assert staff.post(SAVE, entry_post(str(uuid.uuid4()))).status_code == 404
    signed_out = client.post(CHECKIN, data)
    assert signed_out.status_code == 401 and signed_out.json()["signed_out"] is True
    assert not CheckIn.objects.exists() and not ExerciseCompletion.objects.exists()
    assert not JournalEntry.objects.exists()


# --- mark as done --------------------------------------------------------------------------


@pytest.mark.django_db
def test_done_replayed_twice_is_saved_once(patient, enrolment, version, patient_client):
    ex = exercise(version)
    for _ in range(2):
        response = patient_client.post(
            done_url(ex), {"local_date": WEDNESDAY.isoformat(), "minutes": 12}
        )
        assert response.status_code == 200 and response.json() == {"saved": True}
    completion = ExerciseCompletion.objects.get(patient=patient)
    assert (completion.exercise, completion.local_date, completion.minutes) == (ex, WEDNESDAY, 12)


@pytest.mark.django_db
def test_done_for_another_patients_exercise_is_404(enrolment, version):
    stranger = client_for(PatientFactory())
    for day in (WEDNESDAY.isoformat(), "2026-03-03", ""):  # whatever the day: not theirs
        response = stranger.post(done_url(exercise(version)), {"local_date": day})
        assert response.status_code == 404
        assert response.json()["saved"] is False and response.json()["error"]
    assert not ExerciseCompletion.objects.exists()


@pytest.mark.django_db
def test_done_for_a_past_day_or_with_bad_minutes_is_refused(enrolment, version, patient_client):
    ex = exercise(version)
    past = patient_client.post(done_url(ex), {"local_date": "2026-03-02"})
    assert past.status_code == 409 and "That day has passed" in past.json()["error"]
    bad = patient_client.post(done_url(ex), {"local_date": WEDNESDAY.isoformat(), "minutes": 900})
    assert bad.status_code == 400 and bad.json()["error"] == "Minutes must be a whole number from 1 to 600."
    assert not ExerciseCompletion.objects.exists()


# --- journal entries -----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_entry_replayed_twice_is_saved_once(patient, patient_client):
    cid = str(uuid.uuid4())
    first = patient_client.post(SAVE, entry_post(cid))
    assert first.status_code == 200 and first.json()["saved"] is True
    again = patient_client.post(SAVE, entry_post(cid))
    assert again.status_code == 200 and again.json()["saved"] is True
    entry = JournalEntry.objects.get(patient=patient)
    assert (entry.client_id, entry.status, entry.body) == (uuid.UUID(cid), "saved", "Words written on the train.")
    assert first.json()["url"] == f"/journal/{entry.pk}/"


@pytest.mark.django_db
def test_an_entry_after_its_own_autosave_is_promoted_not_duplicated(patient, patient_client):
    # journal.js autosaved the draft when the connection came back, then the queue replays
    # "Save entry" of the same form (same editor, same change counter, base revision 0).
    cid = str(uuid.uuid4())
    assert patient_client.post("/journal/autosave/", entry_post(cid)).status_code == 200
    response = patient_client.post(SAVE, entry_post(cid))
    assert response.status_code == 200 and response.json()["saved"] is True
    entry = JournalEntry.objects.get(patient=patient)
    assert entry.status == "saved"


@pytest.mark.django_db
def test_an_entry_with_another_patients_client_id_is_404(patient):
    cid = str(uuid.uuid4())
    assert client_for(patient).post(SAVE, entry_post(cid)).status_code == 200
    stranger = client_for(PatientFactory())
    response = stranger.post(SAVE, entry_post(cid, body="Overwrite attempt"))
    assert response.status_code == 404
    assert JournalEntry.objects.get().body == "Words written on the train."


@pytest.mark.django_db
def test_released_words_are_never_accepted_and_a_bad_entry_is_refused(patient_client):
    released = patient_client.post(SAVE, entry_post(str(uuid.uuid4()), visibility="released"))
    assert released.status_code == 400 and "never sent" in released.json()["error"]
    bad = patient_client.post(SAVE, entry_post("not-a-uuid"))
    assert bad.status_code == 400 and bad.json()["error"]
    assert not JournalEntry.objects.exists()
