"""clinicians.flags at their thresholds: just below, at and above each, with the settings
that hold them (CLINIC_FLAG_*)."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicians import flags

TODAY = dt.date(2026, 3, 12)
NOW = dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC)
UTC = dt.UTC


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


@pytest.mark.parametrize("idle, flagged", [(2, False), (3, True), (4, True)])
def test_no_activity_for_three_days(idle, flagged):
    flag = flags.inactive(days_ago(idle), days_ago(30), TODAY)
    assert (flag is not None) == flagged
    if flag:
        assert flag.reason == f"Nothing logged for {idle} days: the last check-in, exercise or " \
                              f"shared entry was on {days_ago(idle):%a} {days_ago(idle).day} {days_ago(idle):%b}."


def test_no_activity_counts_from_the_programme_start_and_not_before_it():
    assert flags.inactive(None, days_ago(2), TODAY) is None
    flag = flags.inactive(None, days_ago(3), TODAY)
    assert flag is not None and "since the programme started" in flag.reason
    # Activity before this programme's start does not make the patient idle for longer.
    assert flags.inactive(days_ago(40), days_ago(1), TODAY) is None
    assert flags.inactive(None, None, TODAY) is None  # no programme under way: no flag
    assert flags.inactive(None, TODAY + dt.timedelta(days=5), TODAY) is None


def test_the_inactivity_threshold_is_a_setting(settings):
    settings.CLINIC_FLAG_INACTIVE_DAYS = 5
    assert flags.inactive(days_ago(4), days_ago(30), TODAY) is None
    assert flags.inactive(days_ago(5), days_ago(30), TODAY) is not None


@pytest.mark.parametrize(
    "recent, flagged",
    [(6.4, False), (6.5, True), (6.6, True)],  # baseline 5: +30% is 6.5
)
def test_pain_up_thirty_percent_from_baseline(recent, flagged):
    flag = flags.pain_rise(5, recent)
    assert (flag is not None) == flagged
    if flag:
        assert flag.reason.startswith(f"Pain averaged {recent:.1f} over the last 7 days, up from 5")


def test_pain_rise_edge_cases(settings):
    assert flags.pain_rise(None, 8.0) is None  # no baseline yet
    assert flags.pain_rise(5, None) is None  # no pain score in the last 7 days
    assert flags.pain_rise(5, 3.0) is None  # better, not worse
    assert flags.pain_rise(0, 0.0) is None
    assert flags.pain_rise(0, 1.0) is not None  # from nothing, any rise counts
    settings.CLINIC_FLAG_PAIN_RISE_PERCENT = 50
    assert flags.pain_rise(4, 5.9) is None
    assert flags.pain_rise(4, 6.0) is not None


@pytest.mark.parametrize("open_alerts, flagged", [(0, False), (1, True), (2, True)])
def test_an_open_safety_alert(open_alerts, flagged):
    assert (flags.safety_alert(open_alerts) is not None) == flagged


@pytest.mark.parametrize("late, flagged", [(2, False), (3, True), (4, True)])
def test_a_questionnaire_overdue(late, flagged):
    assert (flags.questionnaire_overdue(days_ago(late), TODAY) is not None) == flagged
    assert flags.questionnaire_overdue(None, TODAY) is None


@pytest.mark.parametrize(
    "ahead, flagged",
    [
        (dt.timedelta(days=7, minutes=1), False),
        (dt.timedelta(days=7), True),
        (dt.timedelta(days=6, hours=23), True),
    ],
)
def test_a_follow_up_due_within_seven_days(ahead, flagged):
    flag = flags.follow_up_due(NOW + ahead, NOW, UTC)
    assert (flag is not None) == flagged
    if flag:
        assert flag.reason.startswith("Follow-up visit on ")


def test_a_past_visit_not_recorded_is_flagged(settings):
    flag = flags.follow_up_due(NOW - dt.timedelta(hours=2), NOW, UTC)
    assert flag is not None and "not recorded as done or missed" in flag.reason
    settings.CLINIC_FLAG_FOLLOW_UP_DAYS = 2
    assert flags.follow_up_due(NOW + dt.timedelta(days=3), NOW, UTC) is None


def test_flags_for_orders_the_safety_alert_first():
    found = flags.flags_for(
        today=TODAY, now=NOW, zone=UTC, open_alerts=1, last_activity=days_ago(5),
        active_since=days_ago(20), baseline=3, recent_pain=6.0,
        next_visit=NOW + dt.timedelta(days=1),
    )
    assert [f.code for f in found] == ["safety", "pain", "inactive", "follow_up"]
    assert found[0].label == "Safety alert open"
