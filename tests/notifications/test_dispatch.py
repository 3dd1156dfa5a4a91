"""The dispatcher and the send task: once per slot, at the right time or not at all."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from recovery.models import Notification, ReminderLedger
from recovery.notifications import sending
from recovery.notifications.dispatch import dispatch

from .conftest import ledger, utc

pytestmark = pytest.mark.django_db

Status = ReminderLedger.Status


def test_daily_reminder_goes_at_the_patients_local_time_with_email_and_bell(
    make_patient, run_dispatcher
):
    patient = make_patient("America/New_York", dt.time(9, 0))
    with time_machine.travel(utc(2025, 6, 3, 12, 59), tick=False):  # 08:59 in New York
        assert run_dispatcher().created == 0
    with time_machine.travel(utc(2025, 6, 3, 13, 0, 20), tick=False):  # 09:00:20
        report = run_dispatcher()
    assert report.created == 1
    [row] = ledger(recipient=patient)
    assert (row.kind, row.slot, row.status) == ("daily_practice", "2025-06-03", Status.SENT)
    assert row.due_at == utc(2025, 6, 3, 13, 0)
    [message] = mail.outbox
    assert message.to == [patient.email]
    assert Notification.objects.get(recipient=patient).ledger == row


def test_the_dispatcher_run_twice_for_the_same_minute_sends_once(make_patient, run_dispatcher):
    patient = make_patient("Europe/London", dt.time(7, 30))
    now = utc(2025, 6, 3, 6, 30, 5)
    with time_machine.travel(now, tick=False):
        first = run_dispatcher(now)
        second = run_dispatcher(now)
        # An overlapping run a few seconds later, as a restarted beat would do.
        third = run_dispatcher(now + dt.timedelta(seconds=20))
    assert (first.created, second.created, third.created) == (1, 0, 0)
    assert len(ledger(recipient=patient)) == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=patient).count() == 1


def test_a_redelivered_send_task_does_nothing(make_patient, run_dispatcher):
    make_patient("UTC", dt.time(8, 0))
    with time_machine.travel(utc(2025, 6, 3, 8, 0, 30), tick=False):
        run_dispatcher()
        [row] = ledger()
        assert sending.deliver(row.pk) == "not claimed"
    assert len(mail.outbox) == 1


def test_a_reminder_picked_up_past_the_late_window_is_skipped_not_sent(make_patient, settings):
    settings.REMINDER_LATE_WINDOW_MINUTES = 30
    make_patient("UTC", dt.time(8, 0))
    with time_machine.travel(utc(2025, 6, 3, 8, 0, 30), tick=False):
        dispatch()  # enqueued on commit, which never happens here: a worker that was down
    [row] = ledger()
    with time_machine.travel(utc(2025, 6, 3, 8, 31), tick=False):
        assert sending.deliver(row.pk) == Status.SKIPPED
    row.refresh_from_db()
    assert row.status == Status.SKIPPED and row.reason.startswith("too late")
    assert mail.outbox == []


def test_after_an_outage_missed_reminders_are_recorded_as_skipped(
    make_patient, run_dispatcher
):
    patient = make_patient("UTC", dt.time(8, 0))
    with time_machine.travel(utc(2025, 6, 3, 6, 0), tick=False):
        run_dispatcher()  # beat ran at 06:00, then was down until 11:00
    with time_machine.travel(utc(2025, 6, 3, 11, 0), tick=False):
        report = run_dispatcher()
    [row] = ledger(recipient=patient)
    assert report.created == 0
    assert row.status == Status.SKIPPED and "dispatcher was not running" in row.reason
    assert mail.outbox == []


def test_a_row_whose_worker_died_is_handed_out_again_after_its_lease(
    make_patient, run_dispatcher, settings
):
    settings.REMINDER_SEND_LEASE_SECONDS = 120
    make_patient("UTC", dt.time(8, 0))
    with time_machine.travel(utc(2025, 6, 3, 8, 0, 10), tick=False):
        dispatch()  # the message is lost (never enqueued here)
        [row] = ledger()
        assert sending.claim(row.pk, utc(2025, 6, 3, 8, 0, 10))  # a worker claims, then dies
    with time_machine.travel(utc(2025, 6, 3, 8, 1, 10), tick=False):
        assert run_dispatcher().requeued == 0  # its lease still holds
    with time_machine.travel(utc(2025, 6, 3, 8, 2, 30), tick=False):
        assert run_dispatcher().requeued == 1
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 2
    assert len(mail.outbox) == 1


def test_a_transient_email_failure_is_retried_then_sent(make_patient, run_dispatcher, settings):
    calls = {"n": 0}
    real = sending.emails.build

    def flaky(*args, **kwargs):
        message = real(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionRefusedError("mail server down")
        return message

    make_patient("UTC", dt.time(8, 0))
    sending.emails.build = flaky
    try:
        with time_machine.travel(utc(2025, 6, 3, 8, 0, 10), tick=False):
            run_dispatcher()
    finally:
        sending.emails.build = real
    [row] = ledger()
    assert row.status == Status.SENT and row.attempts == 2
    assert len(mail.outbox) == 1


def test_an_email_failing_every_retry_is_recorded_as_failed(make_patient, run_dispatcher):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    make_patient("UTC", dt.time(8, 0))
    real = sending.emails.build
    sending.emails.build = broken
    try:
        with time_machine.travel(utc(2025, 6, 3, 8, 0, 10), tick=False):
            run_dispatcher()
    finally:
        sending.emails.build = real
    [row] = ledger()
    assert row.status == Status.FAILED and "mail server down" in row.reason
    # The bell still has it: the in-app message does not depend on the mail server.
    assert Notification.objects.filter(ledger=row).exists()


def test_the_email_links_to_the_site_carries_no_clinical_detail_and_can_unsubscribe(
    make_patient, run_dispatcher
):
    make_patient("UTC", dt.time(8, 0))
    with time_machine.travel(utc(2025, 6, 3, 8, 0, 10), tick=False):
        run_dispatcher()
    [message] = mail.outbox
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "http://127.0.0.1:8000/today/" in message.body and "/today/" in html
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http") and "/notifications/unsubscribe/" in unsubscribe
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for word in ("pain", "score", "diagnos", "PHQ"):
        assert word not in message.body and word not in html


def test_no_reminder_for_a_paused_enrolment_or_before_day_one(make_patient, run_dispatcher):
    paused = make_patient("UTC", dt.time(8, 0))
    paused.enrolments.update(status="paused")
    make_patient("UTC", dt.time(8, 0), start=dt.date(2025, 6, 4))
    with time_machine.travel(utc(2025, 6, 3, 8, 0, 10), tick=False):
        assert run_dispatcher().created == 0
