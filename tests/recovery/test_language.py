"""Language (issue 14, item 3): before sign-in the browser (or the footer's switcher) decides;
once signed in, the person's own choice on the account page wins; emails and reminders are
written in their recipient's language, dates included."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client

from recovery.l10n import long_date
from recovery.models import ReminderLedger, User
from tests.conftest import client_for
from tests.factories import AdminFactory, PatientFactory
from tests.notifications.conftest import (  # noqa: F401  (fixtures)
    celery_eager,
    doc,
    make_patient,
    run_dispatcher,
    utc,
    version,
)

pytestmark = pytest.mark.django_db

SPANISH = "es-ES,es;q=0.9"
ENGLISH = "en-GB,en;q=0.9"


def language_of(response) -> str:
    return response.headers["Content-Language"]


def test_a_visitor_gets_the_browsers_language_before_sign_in() -> None:
    client = Client()
    spanish = client.get("/accounts/login/", headers={"accept-language": SPANISH})
    assert language_of(spanish) == "es"
    assert '<html lang="es">' in spanish.text
    english = client.get("/accounts/login/", headers={"accept-language": ENGLISH})
    assert language_of(english) == "en"
    assert '<html lang="en">' in english.text
    # A language the site does not offer falls back to English.
    assert language_of(client.get("/accounts/login/", headers={"accept-language": "de"})) == "en"


def test_the_footer_switcher_sets_the_visitors_language() -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/", headers={"accept-language": ENGLISH})
    # One button per language, posting to set_language with a CSRF token and no script.
    assert 'action="/i18n/setlang/"' in page.text
    assert 'name="language" value="es" lang="es"' in page.text
    assert 'name="csrfmiddlewaretoken"' in page.text
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/i18n/setlang/",
        {"language": "es", "next": "/accounts/login/", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    # The choice beats the browser from now on.
    again = client.get("/accounts/login/", headers={"accept-language": ENGLISH})
    assert language_of(again) == "es"
    assert 'value="es" lang="es" class="secondary" aria-pressed="true"' in again.text


def test_the_switcher_refuses_a_post_without_csrf() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert response.status_code == 403


def test_a_signed_in_users_choice_beats_the_browser(patient: User) -> None:
    patient.language = "es"
    patient.save()
    client = client_for(patient)
    response = client.get("/account/", headers={"accept-language": ENGLISH})
    assert response.status_code == 200
    assert language_of(response) == "es"
    assert '<html lang="es">' in response.text
    # Signed in, the account page holds the choice: no footer switcher.
    assert "/i18n/setlang/" not in response.text


def test_no_choice_follows_the_browser_when_signed_in(patient: User) -> None:
    assert patient.language == ""
    client = client_for(patient)
    assert language_of(client.get("/account/", headers={"accept-language": SPANISH})) == "es"
    assert language_of(client.get("/account/", headers={"accept-language": ENGLISH})) == "en"


def _account_post(client: Client, **changes: str) -> dict[str, object]:
    form = client.get("/account/").context["form"]
    data: dict[str, object] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        if isinstance(value, dt.time):
            value = value.strftime("%H:%M")
        if isinstance(value, list) and hasattr(field, "choices"):
            offered = {str(choice) for choice, _label in field.choices}
            value = [v for v in value if str(v) in offered]
        data[name] = value
    data.update(changes)
    return data


@pytest.mark.parametrize("persona", ["patient", "clinician", "admin"])
def test_each_persona_chooses_a_language_on_the_account_page(
    persona: str, patient: User, clinician: User
) -> None:
    user = {"patient": patient, "clinician": clinician, "admin": AdminFactory()}[persona]
    client = client_for(user)
    page = client.get("/account/", headers={"accept-language": ENGLISH})
    assert '<select name="language"' in page.text and 'for="id_language"' in page.text
    response = client.post(
        "/account/", _account_post(client, language="es"), headers={"accept-language": ENGLISH}
    )
    assert response.status_code == 302, response.context["form"].errors
    user.refresh_from_db()
    assert user.language == "es"
    after = client.get("/account/", headers={"accept-language": ENGLISH})
    assert language_of(after) == "es"
    assert '<option value="es" selected>' in after.text
    # Back to "the language of my browser".
    client.post("/account/", _account_post(client, language=""))
    user.refresh_from_db()
    assert user.language == ""
    assert language_of(client.get("/account/", headers={"accept-language": ENGLISH})) == "en"


def test_an_unknown_language_is_refused_with_a_message(patient: User) -> None:
    client = client_for(patient)
    response = client.post("/account/", _account_post(client, language="xx"))
    assert response.status_code == 200
    assert "xx is not one of the available choices" in response.text
    patient.refresh_from_db()
    assert patient.language == ""


def test_a_reminder_email_is_written_in_its_recipients_language(
    make_patient, doc, run_dispatcher  # noqa: F811
) -> None:
    from clinicians.models import FollowUpVisit

    spanish = make_patient("Europe/Madrid", None, email="es@example.test")
    spanish.language = "es"
    spanish.save()
    english = make_patient("Europe/London", None, email="en@example.test")
    for patient in (spanish, english):
        FollowUpVisit.objects.create(
            patient=patient, clinician=doc, scheduled_for=utc(2025, 6, 10, 9, 0)
        )
    # The worker has no request and no browser: only the recipient's choice counts, whatever
    # language was active when the dispatcher ran.
    from django.utils import translation

    with translation.override("en"), time_machine.travel(utc(2025, 6, 9, 9, 0, 5), tick=False):
        run_dispatcher()
    visits = {
        str(row.pk): row.recipient.email
        for row in ReminderLedger.objects.filter(kind="visit_patient")
    }
    sent = {visits[m.extra_headers["X-Reminder-Id"]]: m for m in mail.outbox
            if m.extra_headers["X-Reminder-Id"] in visits}
    to_spanish, to_english = sent["es@example.test"], sent["en@example.test"]
    # The day is written in each recipient's language (11:00 in Madrid, 10:00 in London).
    assert "martes 10 de junio" in to_spanish.body and "11:00" in to_spanish.body
    assert "Tuesday 10 June at 10:00" in to_english.body
    assert "junio" not in to_english.body


def test_dates_are_written_in_the_active_language() -> None:
    from django.utils import translation

    day = dt.date(2026, 12, 1)
    with translation.override("es"):
        assert long_date(day) == "1 de diciembre de 2026"
    with translation.override("en"):
        assert long_date(day) == "1 December 2026"


def test_an_admin_created_user_follows_the_browser_by_default() -> None:
    assert PatientFactory().language == ""


# --- a new account keeps the language its person was reading in -----------------------------


def test_signing_up_in_spanish_keeps_spanish_for_emails(django_capture_on_commit_callbacks) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {"email": "nueva@example.test", "password1": "Poco-a-poco-mejor-9",
             "password2": "Poco-a-poco-mejor-9", "display_name": "Nueva",
             "time_zone": "Europe/Madrid"},
            headers={"accept-language": SPANISH},
        )
    assert response.status_code == 302
    assert User.objects.get(email="nueva@example.test").language == "es"


def test_accepting_an_invitation_in_spanish_keeps_spanish(
    clinician: User, django_capture_on_commit_callbacks, celery_eager  # noqa: F811
) -> None:
    from clinicians import invitations

    with django_capture_on_commit_callbacks(execute=True):
        invitations.invite(clinician, "invitada@example.test")
    [message] = [m for m in mail.outbox if "invitada@example.test" in m.to]
    path = "/invite/" + message.body.split("/invite/")[1].split()[0]
    client = Client()
    response = client.post(
        path,
        {"display_name": "Invitada", "time_zone": "Europe/Madrid",
         "password1": "Poco-a-poco-mejor-9", "password2": "Poco-a-poco-mejor-9"},
        headers={"accept-language": SPANISH},
    )
    assert response.status_code == 302
    assert User.objects.get(email="invitada@example.test").language == "es"


def test_signing_in_after_using_the_switcher_keeps_the_choice(patient: User) -> None:
    patient.set_password("Slowly-getting-better-9")
    patient.save()
    client = Client()
    client.post("/i18n/setlang/", {"language": "es", "next": "/accounts/login/"})
    client.post("/accounts/login/", {"login": patient.email, "password": "Slowly-getting-better-9"})
    patient.refresh_from_db()
    assert patient.language == "es"
    # A choice already made on the account page is not overwritten by the cookie.
    patient.language = "en"
    patient.save()
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"login": patient.email, "password": "Slowly-getting-better-9"})
    patient.refresh_from_db()
    assert patient.language == "en"
