"""Session lifetime (issue 11, item 4): idle timeouts by role, an absolute lifetime, a new
session id at sign-in, sessions ended by deactivation or a password change, and a person's
own session list (allauth.usersessions)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from tests.factories import PASSWORD, ClinicianFactory, PatientFactory
from tests.recovery.conftest import sign_in

pytestmark = pytest.mark.django_db


def later(minutes: float):
    return time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=minutes))


def test_staff_are_signed_out_after_fifteen_idle_minutes(clinician_client):
    assert clinician_client.get("/clinic/").status_code == 200
    with later(16):
        response = clinician_client.get("/clinic/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "_auth_user_id" not in clinician_client.session


def test_patients_keep_a_longer_idle_window(patient_client):
    assert patient_client.get("/today/").status_code == 200
    with later(16):
        assert patient_client.get("/today/").status_code == 200
    with later(16 + 61):
        assert patient_client.get("/today/").status_code == 302


def test_activity_keeps_the_session_but_the_absolute_lifetime_ends_it(patient_client, settings):
    settings.SESSION_ABSOLUTE_LIFETIME = 3 * 60 * 60
    patient_client.get("/today/")
    for minutes in (50, 100, 150):
        with later(minutes):
            assert patient_client.get("/today/").status_code == 200
    with later(190):
        assert patient_client.get("/today/").status_code == 302


def test_htmx_and_keep_alive_get_401_after_expiry_so_the_page_keeps_its_draft(patient_client):
    patient_client.get("/today/")
    assert patient_client.post("/session/keep-alive/").status_code == 204
    with later(120):
        assert patient_client.post("/session/keep-alive/").status_code == 401


def test_the_page_carries_the_warning_banner_settings(patient_client):
    html = patient_client.get("/today/").content.decode()
    assert 'id="session-warning"' in html and 'data-idle="3600"' in html
    assert "js/session-warning.js" in html


def test_sign_in_issues_a_new_session_id():
    PatientFactory(email="fix@example.test")
    client = Client()
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    sign_in(client, "fix@example.test", PASSWORD)
    assert client.session.session_key != before


def test_deactivating_a_user_ends_their_sessions(patient, patient_client):
    assert patient_client.get("/today/").status_code == 200
    patient.is_active = False
    patient.save()
    assert patient_client.get("/today/").status_code == 302


def test_a_password_change_ends_other_sessions(patient):
    other_device = Client()
    other_device.force_login(patient)
    assert other_device.get("/today/").status_code == 200
    patient.set_password("a brand new passphrase here")
    patient.save()
    assert other_device.get("/today/").status_code == 302


def test_people_see_their_own_sessions():
    ClinicianFactory(email="list@example.test", totp=False)
    patient = PatientFactory(email="mine@example.test")
    client = Client()
    sign_in(client, patient.email, PASSWORD)
    response = client.get("/accounts/sessions/")
    assert response.status_code == 200
    assert "Sign Out" in response.content.decode() or "sign out" in response.content.decode().lower()
