"""Clinicians and admins read health data: they sign in with a second factor (TOTP)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.core.management import call_command
from django.test import Client

from recovery.demo import DEMO_PASSWORD
from tests.factories import (
    PASSWORD,
    TEST_TOTP_SECRET,
    AdminFactory,
    ClinicianFactory,
    PatientFactory,
    has_totp,
)
from tests.recovery.conftest import sign_in, totp_code

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"
AUTHENTICATE = "/accounts/2fa/authenticate/"
WHY = "needs two-factor authentication"


@pytest.mark.parametrize("factory", [ClinicianFactory, AdminFactory])
def test_staff_without_totp_are_sent_to_set_it_up(factory):
    user = factory(totp=False)
    client = Client()
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 302

    landed = client.get(response["Location"], follow=True)
    assert landed.redirect_chain[-1][0] == ACTIVATE
    page = landed.content.decode()
    assert WHY in page
    assert 'name="code"' in page

    for path in ("/clinic/", "/admin/", "/today/", "/clinic/patients/"):
        blocked = client.get(path)
        assert blocked.status_code == 302, path
        assert blocked["Location"] == ACTIVATE, path


def test_activating_totp_opens_the_clinic():
    user = ClinicianFactory(totp=False)
    client = Client()
    sign_in(client, user.email, PASSWORD)
    assert client.get(ACTIVATE).status_code == 200
    # allauth keeps the secret it shows as a QR code in the session until activation.
    secret = client.session[SECRET_SESSION_KEY]

    wrong = client.post(ACTIVATE, {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert not has_totp(user)

    activated = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert activated.status_code == 302
    assert has_totp(user)
    assert client.get("/clinic/").status_code == 200


def test_clinician_with_totp_is_asked_for_the_code():
    user = ClinicianFactory()
    client = Client()
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == AUTHENTICATE
    # The password alone does not sign in.
    assert client.get("/clinic/")["Location"].startswith("/accounts/login/")

    wrong = client.post(AUTHENTICATE, {"code": "123456" if totp_code(TEST_TOTP_SECRET) != "123456" else "654321"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    done = client.post(AUTHENTICATE, {"code": totp_code(TEST_TOTP_SECRET)}, follow=True)
    assert done.redirect_chain[-1][0] == "/clinic/"
    assert done.status_code == 200
    assert done.wsgi_request.user == user


def test_a_code_is_accepted_once_only():
    user = ClinicianFactory()
    first, second = Client(), Client()
    sign_in(first, user.email, PASSWORD)
    sign_in(second, user.email, PASSWORD)
    code = totp_code(TEST_TOTP_SECRET)
    assert first.post(AUTHENTICATE, {"code": code}).status_code == 302
    assert second.post(AUTHENTICATE, {"code": code}).status_code == 200
    assert "_auth_user_id" not in second.session


def test_admin_login_goes_through_allauth():
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert response["Location"].endswith("next=%2Fadmin%2F")


def test_admin_with_totp_reaches_the_admin():
    user = AdminFactory()
    client = Client()
    assert sign_in(client, user.email, PASSWORD)["Location"] == AUTHENTICATE
    client.post(AUTHENTICATE, {"code": totp_code(TEST_TOTP_SECRET)})
    assert client.get("/admin/").status_code == 200


def test_clinician_cannot_open_the_admin():
    user = ClinicianFactory()
    client = Client()
    sign_in(client, user.email, PASSWORD)
    client.post(AUTHENTICATE, {"code": totp_code(TEST_TOTP_SECRET)})
    assert client.get("/admin/").status_code in (302, 403)
    assert client.get("/admin/").status_code != 200


def test_patient_is_never_asked_for_a_second_factor():
    user = PatientFactory()
    client = Client()
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert "2fa" not in response["Location"]
    assert client.get(response["Location"])["Location"] == "/today/"
    assert client.get("/today/").status_code == 200


def test_demo_clinician_signs_in_with_the_demo_totp_code(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_totp", "clinician@demo.test", stdout=out, stderr=StringIO())
    code = out.getvalue().strip()

    client = Client()
    assert sign_in(client, "clinician@demo.test", DEMO_PASSWORD)["Location"] == AUTHENTICATE
    done = client.post(AUTHENTICATE, {"code": code}, follow=True)
    assert done.redirect_chain[-1][0] == "/clinic/"


def test_set_up_long_after_sign_in_asks_for_the_password_again():
    user = ClinicianFactory(totp=False)
    client = Client()
    sign_in(client, user.email, PASSWORD)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=10)):
        response = client.get(ACTIVATE)
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]


def test_removing_an_existing_second_factor_needs_reauthentication():
    user = ClinicianFactory()
    client = Client()
    sign_in(client, user.email, PASSWORD)
    client.post(AUTHENTICATE, {"code": totp_code(TEST_TOTP_SECRET)})
    response = client.get("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
    assert has_totp(user)
