"""Daylight-saving days and far-away zones: each reminder once, at the intended local time.

The dispatcher runs every minute (as beat does) through the hours around each transition;
the clock is time-machine's, so sent_at is when the reminder really went out.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core import mail

from recovery.models import ReminderLedger
from recovery.notifications.localtime import local_instant

from .conftest import ledger, utc

pytestmark = pytest.mark.django_db


def run_every_minute(run_dispatcher, start: dt.datetime, end: dt.datetime) -> None:
    with time_machine.travel(start, tick=False) as traveller:
        now = start
        while now <= end:
            traveller.move_to(now)
            run_dispatcher()
            now += dt.timedelta(minutes=1)


CASES = [
    # zone, local reminder time, the transition's local date, when it must go (UTC), why
    ("America/Los_Angeles", dt.time(2, 30), dt.date(2025, 3, 9), utc(2025, 3, 9, 10, 0),
     "02:30 does not exist on the spring-forward day: it goes at 03:00 PDT"),
    ("America/Los_Angeles", dt.time(1, 30), dt.date(2025, 11, 2), utc(2025, 11, 2, 8, 30),
     "01:30 happens twice on the fall-back day: once, at the first (PDT)"),
    ("America/Los_Angeles", dt.time(9, 0), dt.date(2025, 3, 9), utc(2025, 3, 9, 16, 0),
     "an ordinary time on a transition day keeps its local hour (PDT)"),
    ("Europe/London", dt.time(1, 30), dt.date(2025, 3, 30), utc(2025, 3, 30, 1, 0),
     "01:30 does not exist on the spring-forward day: it goes at 02:00 BST"),
    ("Europe/London", dt.time(1, 30), dt.date(2025, 10, 26), utc(2025, 10, 26, 0, 30),
     "01:30 happens twice on the fall-back day: once, at the first (BST)"),
    ("Europe/London", dt.time(8, 0), dt.date(2025, 10, 26), utc(2025, 10, 26, 8, 0),
     "after fall-back 08:00 is GMT again"),
]


@pytest.mark.parametrize(("zone", "at", "day", "expected", "why"), CASES,
                         ids=[f"{c[0]}-{c[2]}-{c[1]:%H%M}" for c in CASES])
def test_one_reminder_at_the_intended_local_time_on_transition_days(
    make_patient, run_dispatcher, zone, at, day, expected, why
):
    patient = make_patient(zone, at)
    # An hour's error either way (the classic DST bug) would show inside this span.
    span = dt.timedelta(minutes=75)
    run_every_minute(run_dispatcher, expected - span, expected + span)
    rows = ledger(recipient=patient)
    assert len(rows) == 1, why
    [row] = rows
    assert row.slot == day.isoformat(), why
    assert row.due_at == expected, why
    assert row.status == ReminderLedger.Status.SENT, why
    # Sent within the minute after its time, never at the wrong hour.
    assert expected <= row.sent_at < expected + dt.timedelta(minutes=1), why
    daily = [m for m in mail.outbox if m.subject == "Your practice for today"]
    assert len(daily) == 1


def test_a_whole_day_across_both_transitions_sends_one_per_local_date(
    make_patient, run_dispatcher
):
    """Across each transition night, one reminder on each local date, none missed."""
    patient = make_patient("America/Los_Angeles", dt.time(2, 30))
    for first in (dt.date(2025, 3, 8), dt.date(2025, 11, 1)):
        for offset in range(3):  # the day before, the transition day, the day after
            day = first + dt.timedelta(days=offset)
            due = local_instant(day, dt.time(2, 30), "America/Los_Angeles")
            run_every_minute(run_dispatcher, due - dt.timedelta(minutes=3),
                             due + dt.timedelta(minutes=3))
    # (Jumping from March to November, the dispatcher also records 31 October, which it
    # "missed", as skipped: only what was sent counts here.)
    rows = ledger(recipient=patient, status=ReminderLedger.Status.SENT)
    assert [r.slot for r in rows] == [
        "2025-03-08", "2025-03-09", "2025-03-10", "2025-11-01", "2025-11-02", "2025-11-03"]
    la = zoneinfo.ZoneInfo("America/Los_Angeles")
    assert [r.sent_at.astimezone(la).strftime("%H:%M") for r in rows] == [
        "02:30", "03:00", "02:30", "02:30", "02:30", "02:30"]


def test_a_patient_a_whole_day_ahead_of_the_server(make_patient, run_dispatcher, settings):
    """Kiritimati is UTC+14; with the server in Pago Pago (UTC-11) the patient's date is a day
    ahead of the server's for most of the day. The slot and day one follow the patient."""
    settings.TIME_ZONE = "Pacific/Pago_Pago"
    # Day one of the programme is the patient's 2 June, still 1 June on the server.
    patient = make_patient("Pacific/Kiritimati", dt.time(8, 0), start=dt.date(2025, 6, 2))
    expected = utc(2025, 6, 1, 18, 0)  # 08:00 on 2 June in Kiritimati; 07:00 on 1 June in Pago Pago
    run_every_minute(run_dispatcher, expected - dt.timedelta(minutes=5),
                     expected + dt.timedelta(minutes=5))
    [row] = ledger(recipient=patient)
    assert row.slot == "2025-06-02"
    assert row.due_at == expected
    assert row.status == ReminderLedger.Status.SENT
