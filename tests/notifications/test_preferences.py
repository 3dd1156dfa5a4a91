"""What a person chooses to receive: the account page, quiet days, pause, unsubscribe links,
and the bell."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client

from recovery.models import Notification, NotificationPreference, ReminderLedger
from recovery.notifications import registry, tokens
from tests.conftest import client_for

from .conftest import ledger, utc

pytestmark = pytest.mark.django_db

Status = ReminderLedger.Status
TUESDAY_8 = utc(2025, 6, 3, 8, 0, 10)


def send_at_8(run_dispatcher) -> ReminderLedger:
    with time_machine.travel(TUESDAY_8, tick=False):
        run_dispatcher()
    [row] = ledger()
    return row


def test_the_account_page_sets_name_zone_reminder_time_kinds_quiet_days_and_pause(
    make_patient, run_dispatcher
):
    patient = make_patient("UTC", None)
    client = client_for(patient)
    page = client.get("/account/")
    assert page.status_code == 200
    for link in ("/accounts/email/", "/accounts/password/change/", "/accounts/2fa/"):
        assert link in page.content.decode()
    response = client.post("/account/", {
        "display_name": "Robin Ash", "time_zone": "Europe/London", "reminder_time": "09:00",
        "kinds": ["daily_practice", "group_session"], "quiet_weekdays": ["5", "6"],
    })
    assert response.status_code == 302
    patient.patient_profile.refresh_from_db()
    profile = patient.patient_profile
    assert (profile.display_name, profile.time_zone, profile.reminder_time) == (
        "Robin Ash", "Europe/London", dt.time(9, 0))
    prefs = NotificationPreference.objects.get(user=patient)
    # Every patient kind not ticked is muted; the ticked ones are not.
    assert set(prefs.muted_kinds) == {
        k.name for k in registry.kinds("patient")
    } - {"daily_practice", "group_session"}
    assert "inactivity_nudge" in prefs.muted_kinds
    assert prefs.quiet_weekdays == [5, 6] and prefs.paused is False
    # 09:00 in London on a Tuesday in June is 08:00 UTC: the new settings are what counts.
    assert send_at_8(run_dispatcher).status == Status.SENT


def test_bad_input_on_the_account_page_is_a_message_not_an_error(make_patient):
    patient = make_patient("UTC", dt.time(9, 0))
    response = client_for(patient).post("/account/", {"time_zone": "Mars/Olympus",
                                                      "reminder_time": "25:99"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    patient.patient_profile.refresh_from_db()
    assert patient.patient_profile.reminder_time == dt.time(9, 0)


def test_a_clinician_sets_the_digest_day(doc):
    response = client_for(doc).post("/account/", {"display_name": "Dr Lee",
                                                  "digest_weekday": "4",
                                                  "kinds": ["caseload_digest"]})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=doc).digest_weekday == 4


@pytest.mark.parametrize(("prefs", "reason"), [
    ({"quiet_weekdays": [1]}, "quiet day of the recipient"),  # Tuesday
    ({"paused": True}, "paused by the recipient"),
    ({"muted_kinds": ["daily_practice"]}, "kind turned off by the recipient"),
])
def test_quiet_days_pause_and_muted_kinds_skip_with_the_reason(
    make_patient, run_dispatcher, prefs, reason
):
    patient = make_patient("UTC", dt.time(8, 0))
    NotificationPreference.objects.create(user=patient, **prefs)
    row = send_at_8(run_dispatcher)
    assert (row.status, row.reason) == (Status.SKIPPED, reason)
    assert mail.outbox == []
    assert not Notification.objects.filter(recipient=patient).exists()


def test_a_quiet_day_is_the_patients_local_weekday(make_patient, run_dispatcher):
    # 08:00 UTC on Tuesday is 20:00 on Tuesday in Auckland... and still Tuesday; 07:00 on a
    # Wednesday in Kiritimati is Tuesday 17:00 UTC. Quiet Wednesday silences the latter only.
    patient = make_patient("Pacific/Kiritimati", dt.time(7, 0))
    NotificationPreference.objects.create(user=patient, quiet_weekdays=[2])
    with time_machine.travel(utc(2025, 6, 3, 17, 0, 10), tick=False):
        run_dispatcher()
    [row] = ledger()
    assert row.slot == "2025-06-04" and row.reason == "quiet day of the recipient"


def unsubscribe_link(run_dispatcher) -> str:
    send_at_8(run_dispatcher)
    [message] = mail.outbox
    return message.extra_headers["List-Unsubscribe"].strip("<>").split("8000", 1)[1]


@time_machine.travel(TUESDAY_8 + dt.timedelta(days=2), tick=False)
def test_a_valid_unsubscribe_link_works_without_signing_in(make_patient, run_dispatcher):
    patient = make_patient("UTC", dt.time(8, 0))
    path = unsubscribe_link(run_dispatcher)
    client = Client(enforce_csrf_checks=True)
    page = client.get(path)
    assert page.status_code == 200 and "Unsubscribe" in page.content.decode()
    assert not NotificationPreference.objects.filter(user=patient).exists()  # GET changes nothing
    # RFC 8058: the mail client POSTs this body, with no cookie and no CSRF token.
    done = client.post(path, "List-Unsubscribe=One-Click",
                       content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200 and "You are unsubscribed" in done.content.decode()
    assert NotificationPreference.objects.get(user=patient).muted_kinds == ["daily_practice"]


@time_machine.travel(TUESDAY_8 + dt.timedelta(days=2), tick=False)
def test_a_replayed_unsubscribe_token_is_harmless(make_patient, run_dispatcher):
    patient = make_patient("UTC", dt.time(8, 0))
    path = unsubscribe_link(run_dispatcher)
    for _ in range(3):
        assert Client().post(path).status_code == 200
    prefs = NotificationPreference.objects.get(user=patient)
    assert prefs.muted_kinds == ["daily_practice"] and prefs.paused is False


def test_a_forged_unsubscribe_token_is_refused(make_patient):
    patient = make_patient("UTC", dt.time(8, 0))
    good = tokens.make(patient.pk, "daily_practice")
    value, signature = good.rsplit(":", 1)
    other = tokens.make(patient.pk + 1, "daily_practice")
    forged = [
        f"{value}:{signature[:-2]}xx",  # a tampered signature
        other.split(":", 1)[0] + good[good.index(":"):],  # another person's id, our signature
        "not-a-token",
    ]
    for token in forged:
        response = Client().post(f"/notifications/unsubscribe/{token}/")
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert not NotificationPreference.objects.filter(user=patient).exists()


def test_an_expired_unsubscribe_token_says_so(make_patient, settings):
    settings.UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS = 90
    patient = make_patient("UTC", dt.time(8, 0))
    with time_machine.travel(utc(2025, 1, 1, 12, 0), tick=False):
        token = tokens.make(patient.pk, "daily_practice")
    with time_machine.travel(utc(2025, 4, 2, 12, 0), tick=False):
        response = Client().post(f"/notifications/unsubscribe/{token}/")
    assert response.status_code == 400 and "too old" in response.content.decode()
    assert not NotificationPreference.objects.filter(user=patient).exists()


def test_a_token_for_one_kind_mutes_only_that_kind(make_patient):
    patient = make_patient("UTC", dt.time(8, 0))
    Client().post(f"/notifications/unsubscribe/{tokens.make(patient.pk, 'group_session')}/")
    assert NotificationPreference.objects.get(user=patient).muted_kinds == ["group_session"]


def test_the_bell_counts_unread_and_the_list_marks_them_read(make_patient, run_dispatcher):
    patient = make_patient("UTC", dt.time(8, 0))
    send_at_8(run_dispatcher)
    client = client_for(patient)
    page = client.get("/today/")
    assert 'hx-get="/notifications/bell/"' in page.content.decode()
    assert 'hx-trigger="load, every 60s"' in page.content.decode()
    bell = client.get("/notifications/bell/", HTTP_HX_REQUEST="true").content.decode()
    assert "1<span" in bell and "load" not in bell  # no reload loop after the swap
    listing = client.get("/notifications/").content.decode()
    assert "Your practice for today" in listing and "New" in listing
    assert "1<span" not in client.get("/notifications/bell/").content.decode()


def test_one_persons_notifications_are_not_anothers(make_patient, run_dispatcher):
    make_patient("UTC", dt.time(8, 0))
    other = make_patient("UTC", None, email="other@example.test")
    send_at_8(run_dispatcher)
    assert "Your practice" not in client_for(other).get("/notifications/").content.decode()
