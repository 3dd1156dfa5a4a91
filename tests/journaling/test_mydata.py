"""My data: JSON and PDF downloads, and asking to delete the account (or cancelling).

The purge itself (recovery.deletion and each app's receiver) is tested in
tests/recovery/test_deletion.py."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY

from journaling.models import CheckIn, JournalEntry, StressorItem
from programs.models import (
    Attendance,
    Cohort,
    CohortMembership,
    Occurrence,
    Screening,
)
from tests.factories import PASSWORD, PatientFactory
from tests.journaling.test_history import NOV_15, enrol, fill_days, make_version

URLS = ["/my-data/", "/my-data/export.json", "/my-data/delete/"]


@pytest.fixture
def history(patient, clinician):
    """Two weeks of the patient's data, every kind of entry, a screening and attendance."""
    version = make_version(group_session=True)
    enrolment = enrol(patient, clinician, version, dt.date(2026, 11, 2))
    fill_days(patient, enrolment, dt.date(2026, 11, 2), 14)
    JournalEntry.objects.create(
        patient=patient, local_date=dt.date(2026, 11, 10), visibility="released",
        status="saved", minutes=15, title="Letting go",
    )
    JournalEntry.objects.create(
        patient=patient, local_date=dt.date(2026, 11, 11), visibility="care_team",
        status="saved", kind="unsent_letter", recipient="Dad", body="Dear Dad, I was angry.",
    )
    StressorItem.objects.create(
        patient=patient, category="childhood", text="Moving school often", local_date=dt.date(2026, 11, 3)
    )
    Screening.objects.create(
        patient=patient, program=version.program, decided_by=clinician,
        decided_on=dt.date(2026, 11, 1), outcome="cleared", reason="No red flags.",
    )
    cohort = Cohort.objects.create(
        clinic=patient.clinic, version=version, name="Tuesday group", start_date=dt.date(2026, 11, 3)
    )
    CohortMembership.objects.create(cohort=cohort, enrolment=enrolment)
    occurrence = Occurrence.objects.create(
        cohort=cohort, session=version.sessions.get(), duration_minutes=120,
        starts_at=dt.datetime(2026, 11, 3, 23, 0, tzinfo=dt.UTC),
    )
    Attendance.objects.create(occurrence=occurrence, patient=patient, status="present", recorded_by=clinician)
    return enrolment


@pytest.fixture
def stranger(db, other_clinician):
    other = PatientFactory(email="stranger@example.test")
    enrolment = enrol(other, other_clinician, make_version(slug="other"), dt.date(2026, 11, 2))
    CheckIn.objects.create(patient=other, local_date=dt.date(2026, 11, 5), pain=9, stress=9, mood=1, note="STRANGER NOTE")
    JournalEntry.objects.create(patient=other, local_date=dt.date(2026, 11, 5), body="STRANGER TEXT", status="saved")
    assert enrolment
    return other


# --- Access ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS)
def test_only_the_patient_reaches_my_data(
    url, patient, clinician, patient_client, clinician_client, other_clinician_client
):
    enrol(patient, clinician, make_version(), dt.date(2026, 11, 2))
    assert patient_client.get(url).status_code == 200
    assert clinician_client.get(url).status_code == 404
    assert other_clinician_client.get(url).status_code == 404


# --- JSON ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_json_export_has_my_data_and_nothing_of_anyone_else(patient_client, history, stranger):
    with time_machine.travel(NOV_15, tick=False):
        response = patient_client.get("/my-data/export.json")
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == 'attachment; filename="my-data-2026-11-15.json"'
    assert "no-store" in response["Cache-Control"]
    raw = response.content.decode()
    assert "STRANGER" not in raw and "stranger@example.test" not in raw
    data = json.loads(raw)
    assert data["schema_version"] == 1
    assert data["generated_at"].startswith("2026-11-15T17:00:00")
    assert data["profile"]["email"] == "pat@example.test"
    assert data["profile"]["time_zone"] == "America/New_York"
    assert data["enrolments"][0]["programme"] == "Home programme"
    assert data["enrolments"][0]["version"] == 1
    assert len(data["check_ins"]) == 14
    assert data["check_ins"][0]["local_date"] == "2026-11-02"
    assert len(data["exercise_completions"]) == 14
    assert data["exercise_completions"][0]["exercise"] == "Write about stressors"
    letter = next(e for e in data["journal_entries"] if e["kind"] == "unsent_letter")
    assert letter["recipient"] == "Dad" and letter["body"] == "Dear Dad, I was angry."
    assert data["stressor_inventory"] == [
        {"category": "childhood", "category_label": "Childhood", "text": "Moving school often",
         "local_date": "2026-11-03"}
    ]
    assert data["screenings"][0]["outcome"] == "cleared"
    assert data["group_attendance"][0]["session"] == "Session 1: the mind-body link"
    assert data["group_attendance"][0]["status"] == "present"


@pytest.mark.django_db
def test_released_entries_have_no_text_in_the_export(patient_client, history):
    data = json.loads(patient_client.get("/my-data/export.json").content)
    [released] = [e for e in data["journal_entries"] if e["visibility"] == "released"]
    assert released["text_saved"] is False
    assert released["body"] is None and released["recipient"] is None and released["fields"] is None
    assert released["minutes"] == 15


# --- PDF -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pdf_export_is_a_pdf(patient_client, history, stranger):
    # Built by the worker (tests/recovery/test_export_jobs.py): here the task runs in-process.
    from recovery import export_jobs

    with time_machine.travel(NOV_15, tick=False):
        job_url = patient_client.post("/my-data/export.pdf")["Location"]
        export_jobs.run(int(job_url.strip("/").split("/")[-1]))
        response = patient_client.get(job_url + "download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="my-data-2026-11-15.pdf"'
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 10_000


@pytest.mark.django_db
def test_pdf_html_has_sections_charts_and_no_released_text(patient, history):
    from journaling.export import render_pdf_html

    with time_machine.travel(NOV_15, tick=False):
        html = render_pdf_html(patient, NOV_15)
    for heading in ("Profile", "Check-ins", "Exercises done", "Journal", "Stressor inventory",
                    "Screenings", "Group attendance"):
        assert f"<h2>{heading}</h2>" in html
    assert html.count("<svg") == 2
    assert "size: A4" in html
    assert "Wrote and released (15 min): the text was never saved." in html
    assert "Dear Dad, I was angry." in html


# --- Deleting the account --------------------------------------------------------------


@pytest.mark.django_db
def test_deletion_needs_the_right_email_and_password(patient, patient_client):
    page = patient_client.get("/my-data/delete/").content.decode()
    assert "14 days" in page and "audit trail" in page and "Cancel deletion" in page
    bad = patient_client.post("/my-data/delete/", {"email": "pat@example.test", "password": "wrong"})
    assert "That password is not right." in bad.content.decode()
    bad = patient_client.post("/my-data/delete/", {"email": "other@example.test", "password": PASSWORD})
    assert "This is not the email address of your account." in bad.content.decode()
    patient.patient_profile.refresh_from_db()
    assert patient.patient_profile.deletion_requested_at is None


@pytest.mark.django_db
def test_requesting_deletion_signs_out_and_cancel_works(patient, patient_client):
    with time_machine.travel(NOV_15, tick=False):
        response = patient_client.post(
            "/my-data/delete/", {"email": "PAT@example.test", "password": PASSWORD}
        )
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert SESSION_KEY not in patient_client.session
    patient.refresh_from_db()
    assert patient.is_active  # still able to sign in and cancel during the grace period
    assert patient.patient_profile.deletion_requested_at == NOV_15

    patient_client.force_login(patient)
    with time_machine.travel(NOV_15 + dt.timedelta(days=2), tick=False):
        page = patient_client.get("/history/").content.decode()
    assert "Your account will be deleted on Sunday 29 November 2026." in page
    assert page.count(">Cancel deletion</button>") == 1
    with time_machine.travel(NOV_15 + dt.timedelta(days=2), tick=False):
        my_data = patient_client.get("/my-data/").content.decode()
        assert patient_client.get("/my-data/delete/")["Location"] == "/my-data/"
    assert my_data.count(">Cancel deletion</button>") == 1  # the banner's, not a second one
    response = patient_client.post("/my-data/delete/cancel/", follow=True)
    assert "Deletion cancelled." in response.content.decode()
    patient.patient_profile.refresh_from_db()
    assert patient.patient_profile.deletion_requested_at is None
    assert "will be deleted on" not in patient_client.get("/history/").content.decode()


@pytest.mark.django_db
def test_cancel_needs_post(patient_client):
    assert patient_client.get("/my-data/delete/cancel/").status_code == 405
