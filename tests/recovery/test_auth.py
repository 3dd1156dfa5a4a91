"""Sign-up, email verification, password reset and change through allauth's real views.

allauth's mail goes through the Celery task recovery.tasks.send_email, enqueued on commit:
`django_capture_on_commit_callbacks(execute=True)` runs the enqueue, and the `celery_eager`
fixture runs the task in-process, so the mail lands in mail.outbox.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import Client

from recovery.models import Clinic, PatientProfile, User
from tests.factories import PASSWORD, PatientFactory
from tests.recovery.conftest import link_in, mails_to, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

NEW_EMAIL = "new.patient@example.test"
NEW_PASSWORD = "Healing-slowly-2025"


@pytest.fixture
def send_mail_now(django_capture_on_commit_callbacks):
    """Wrap a request so the mail it enqueues on commit is delivered before returning."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def sign_up(client: Client, email: str = NEW_EMAIL, password: str = NEW_PASSWORD):
    return client.post(
        "/accounts/signup/",
        {
            "email": email, "password1": password, "password2": password,
            "display_name": "New Patient", "time_zone": "Europe/Paris",
        },
    )


def test_sign_up_verify_and_wait_for_the_clinic(send_mail_now):
    client = Client()
    response = send_mail_now(sign_up, client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    page = client.get(response["Location"])
    assert "Verify Your Email Address" in page.content.decode()

    # The account is a patient of the default clinic, not yet verified.
    user = User.objects.get(email=NEW_EMAIL)
    assert user.role == User.Role.PATIENT
    assert user.clinic == Clinic.default()
    profile = PatientProfile.objects.get(user=user)
    assert (profile.display_name, profile.time_zone) == ("New Patient", "Europe/Paris")
    assert not EmailAddress.objects.get(user=user).verified

    [message] = mails_to(NEW_EMAIL)
    assert f"Hello from {settings.SITE_NAME}!" in message.body
    assert message.subject.startswith(f"[{settings.SITE_NAME}] ")
    confirm_path = link_in(message, "/accounts/confirm-email/")

    # Signing in is refused until the address is verified.
    other = Client()
    refused = send_mail_now(sign_in, other, NEW_EMAIL, NEW_PASSWORD)
    assert refused.status_code == 302
    assert refused["Location"] == "/accounts/confirm-email/"
    assert "Verify Your Email Address" in other.get(refused["Location"]).content.decode()
    assert other.get("/today/")["Location"].startswith("/accounts/login/")

    # Opening the link shows a confirm button (no change on GET); posting confirms.
    shown = client.get(confirm_path)
    assert shown.status_code == 200
    assert not EmailAddress.objects.get(user=user).verified
    confirmed = client.post(confirm_path, follow=True)
    assert EmailAddress.objects.get(user=user).verified
    # Signed up alone: nobody's patient yet, they wait visibly for the clinic (issue 9).
    assert confirmed.redirect_chain[-1][0] == "/welcome/waiting/"
    assert "Waiting for your clinic" in confirmed.content.decode()
    assert confirmed.wsgi_request.user == user


def test_verified_patient_can_sign_in_on_another_device(send_mail_now):
    client = Client()
    send_mail_now(sign_up, client)
    client.post(link_in(mails_to(NEW_EMAIL)[0], "/accounts/confirm-email/"))

    fresh = Client()
    response = sign_in(fresh, NEW_EMAIL, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/welcome/waiting/"


def test_sign_up_with_a_registered_email_does_not_reveal_it(send_mail_now):
    existing = PatientFactory(email="known@example.test")
    known = send_mail_now(sign_up, Client(), "known@example.test")
    unknown = send_mail_now(sign_up, Client(), "someone.else@example.test")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert User.objects.filter(email="known@example.test").count() == 1
    # The owner of the address is told, by mail only.
    [notice] = mails_to(existing.email)
    assert "already exists" in notice.body


def test_password_reset_looks_the_same_for_unknown_addresses(send_mail_now):
    PatientFactory(email="known@example.test")
    known = send_mail_now(Client().post, "/accounts/password/reset/", {"email": "known@example.test"})
    unknown = send_mail_now(
        Client().post, "/accounts/password/reset/", {"email": "nobody@example.test"}
    )
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password/reset/done/"
    # Only the real account gets a reset link.
    assert "/accounts/password/reset/key/" in mails_to("known@example.test")[0].body
    assert "/accounts/password/reset/key/" not in mails_to("nobody@example.test")[0].body


def test_password_reset_sets_a_new_password(send_mail_now):
    user = PatientFactory(email="forgetful@example.test")
    client = Client()
    send_mail_now(client.post, "/accounts/password/reset/", {"email": user.email})
    key_path = link_in(mails_to(user.email)[0], "/accounts/password/reset/key/")

    form = client.get(key_path, follow=True)
    assert form.status_code == 200
    form_path = form.redirect_chain[-1][0] if form.redirect_chain else key_path
    done = send_mail_now(
        client.post, form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The link works once only.
    again = client.get(key_path, follow=True)
    assert "password1" not in again.content.decode()


def test_password_change(send_mail_now):
    user = PatientFactory(email="changer@example.test")
    client = Client()
    sign_in(client, user.email, PASSWORD)
    response = send_mail_now(
        client.post,
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    wrong_old = client.post(
        "/accounts/password/change/",
        {"oldpassword": "not-it", "password1": "An0ther-long-one", "password2": "An0ther-long-one"},
    )
    assert wrong_old.status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_weak_or_mismatched_passwords_are_explained():
    response = sign_up(Client(), password="12345678")
    assert response.status_code == 200
    assert not User.objects.filter(email=NEW_EMAIL).exists()
    mismatch = Client().post(
        "/accounts/signup/",
        {"email": NEW_EMAIL, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"},
    )
    assert mismatch.status_code == 200
    assert "same password" in mismatch.content.decode()


def test_many_failed_sign_ins_are_refused():
    user = PatientFactory(email="target@example.test")
    client = Client()
    for _ in range(5):
        response = sign_in(client, user.email, "wrong-password")
        assert response.status_code == 200
    blocked = sign_in(client, user.email, PASSWORD)
    assert blocked.status_code in (200, 429)
    assert "Too many failed login attempts" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_up_closed_when_registration_is_off(settings):
    settings.ACCOUNT_ALLOW_REGISTRATION = False
    response = sign_up(Client())
    assert not User.objects.filter(email=NEW_EMAIL).exists()
    assert "closed" in response.content.decode().lower()


def test_mail_is_enqueued_not_sent_inside_the_request(django_capture_on_commit_callbacks):
    # Without the commit, nothing leaves: the worker never sees an account that is not there.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sign_up(Client())
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_a_stranger_guessing_does_not_lock_the_real_person_out():
    # Failed sign-ins count per (client IP, account): five wrong guesses from one address
    # leave the account open from the patient's own phone (issue 11, item 6).
    user = PatientFactory(email="guessed@example.test")
    stranger = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        sign_in(stranger, user.email, "wrong-password")
    refused = sign_in(stranger, user.email, PASSWORD)
    assert "_auth_user_id" not in stranger.session
    assert "Try again in" in refused.content.decode()

    own_phone = Client(REMOTE_ADDR="198.51.100.4")
    response = sign_in(own_phone, user.email, PASSWORD)
    assert response.status_code == 302
    assert own_phone.session["_auth_user_id"] == str(user.pk)


def test_the_refusal_says_how_long_to_wait(time_machine):
    user = PatientFactory(email="waiting@example.test")
    client = Client(REMOTE_ADDR="203.0.113.10")
    time_machine.move_to("2026-12-01 10:00:00+00:00", tick=False)
    for _ in range(5):
        sign_in(client, user.email, "wrong-password")
    text = sign_in(client, user.email, PASSWORD).content.decode()
    assert "Try again in 5 minutes" in text
    time_machine.move_to("2026-12-01 10:04:30+00:00", tick=False)
    assert "Try again in 30 seconds" in sign_in(client, user.email, PASSWORD).content.decode()
    time_machine.move_to("2026-12-01 10:05:01+00:00", tick=False)
    assert sign_in(client, user.email, PASSWORD).status_code == 302


def test_guesses_spread_over_many_addresses_still_stop(settings):
    from recovery import adapters

    user = PatientFactory(email="spread@example.test")
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    limit = int(adapters.ACCOUNT_WIDE_FAILED["login_failed_account"].split("/")[0])
    for n in range(limit):
        sign_in(Client(REMOTE_ADDR=f"10.0.{n // 250}.{n % 250 + 1}"), user.email, "wrong-password")
    client = Client(REMOTE_ADDR="192.0.2.200")
    text = sign_in(client, user.email, PASSWORD).content.decode()
    assert "Too many failed login attempts" in text
    assert "_auth_user_id" not in client.session
