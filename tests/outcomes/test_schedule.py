"""outcomes.schedule: what is due on a patient's local date, what counts as missed, and the
Today card that shows it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from outcomes.schedule import add_months, due_for, overdue_for
from programs import enrolments
from tests.factories import ClinicianFactory, PatientFactory, enrol

from .helpers import answer, scheduled_version

D = dt.date(2026, 3, 2)  # day 1 (a Monday)


def codes(items) -> list[tuple[str, str]]:
    return [(i.instrument, i.label) for i in items]


@pytest.fixture
def people(db):
    clinician = ClinicianFactory()
    patient = PatientFactory(clinic=clinician.clinic)
    return patient, clinician


def test_baseline_is_due_before_day_1_until_day_1_then_missed(instruments, people):
    patient, clinician = people
    version = scheduled_version([{"instrument": "PHQ-9", "when": "baseline", "window_days": 5}])
    enrol(patient, clinician, version, start=D)
    assert due_for(patient, D - dt.timedelta(days=6)) == []
    assert codes(due_for(patient, D - dt.timedelta(days=5))) == [("PHQ-9", "baseline")]
    item = due_for(patient, D)[0]
    assert item.until == D and item.url == reverse("outcomes:answer", args=["PHQ-9"])
    assert due_for(patient, D + dt.timedelta(days=1)) == []
    missed = overdue_for([patient], D + dt.timedelta(days=1))
    assert codes(missed[patient.pk]) == [("PHQ-9", "baseline")]


def test_a_response_in_the_window_satisfies_the_slot(instruments, people):
    patient, clinician = people
    version = scheduled_version([{"instrument": "PHQ-9", "when": "baseline", "window_days": 5}])
    enrol(patient, clinician, version, start=D)
    answer(patient, "PHQ-9", D - dt.timedelta(days=2))
    assert due_for(patient, D) == []
    assert overdue_for([patient], D + dt.timedelta(days=30)) == {}


def test_a_response_outside_the_window_does_not_count(instruments, people):
    patient, clinician = people
    version = scheduled_version([{"instrument": "PHQ-9", "when": "baseline", "window_days": 5}])
    enrol(patient, clinician, version, start=D)
    answer(patient, "PHQ-9", D - dt.timedelta(days=20))  # an old answer, before the window
    assert codes(due_for(patient, D)) == [("PHQ-9", "baseline")]


def test_weekly_slots_open_each_week_and_one_answer_fills_one_slot(instruments, people):
    patient, clinician = people
    version = scheduled_version([
        {"instrument": "PEG-3", "when": "baseline", "window_days": 7},
        {"instrument": "PEG-3", "when": "weekly", "window_days": 7},
    ])
    enrol(patient, clinician, version, start=D)
    answer(patient, "PEG-3", D)  # fills the baseline (it closes first) ...
    assert codes(due_for(patient, D)) == [("PEG-3", "week 1")]  # ... not week 1 as well
    assert codes(due_for(patient, D + dt.timedelta(days=3))) == [("PEG-3", "week 1")]
    answer(patient, "PEG-3", D + dt.timedelta(days=3))
    assert due_for(patient, D + dt.timedelta(days=3)) == []
    # Week 2 opens on day 8 and stays due 7 days, then counts as missed.
    assert codes(due_for(patient, D + dt.timedelta(days=7))) == [("PEG-3", "week 2")]
    assert due_for(patient, D + dt.timedelta(days=7))[0].until == D + dt.timedelta(days=13)
    missed = overdue_for([patient], D + dt.timedelta(days=14))
    assert codes(missed[patient.pk]) == [("PEG-3", "week 2")]


def test_a_pause_shifts_week_slots(instruments, people):
    patient, clinician = people
    version = scheduled_version([{"instrument": "PEG-3", "when": "week", "week": 2}])
    e = enrol(patient, clinician, version, start=D)
    enrolments.pause(e, D + dt.timedelta(days=2))
    assert due_for(patient, D + dt.timedelta(days=7)) == []  # paused: not dated yet
    enrolments.resume(e, D + dt.timedelta(days=5))  # three days paused
    assert due_for(patient, D + dt.timedelta(days=9)) == []
    assert codes(due_for(patient, D + dt.timedelta(days=10))) == [("PEG-3", "week 2")]


def test_follow_ups_reach_the_patient_after_the_programme_ended(instruments, people):
    patient, clinician = people
    version = scheduled_version([
        {"instrument": "NRS", "when": "end", "window_days": 14},
        {"instrument": "NRS", "when": "follow_up", "months": 3, "window_days": 28},
        {"instrument": "PEG-3", "when": "week", "week": 4},
    ])
    e = enrol(patient, clinician, version, start=D)
    ended = D + dt.timedelta(days=20)  # completed early, in week 3
    enrolments.complete(e, ended)
    # The end counts from the completion; week 4 is not asked any more.
    assert codes(due_for(patient, ended)) == [("NRS", "end of programme")]
    assert codes(due_for(patient, D + dt.timedelta(days=22))) == [("NRS", "end of programme")]
    follow_up = add_months(ended, 3)
    assert codes(due_for(patient, follow_up)) == [("NRS", "3 months after the end")]
    answer(patient, "NRS", follow_up + dt.timedelta(days=27), [0])
    assert due_for(patient, follow_up + dt.timedelta(days=27)) == []


def test_the_end_of_a_running_programme_is_the_day_after_its_last_week(instruments, people):
    patient, clinician = people
    version = scheduled_version([{"instrument": "NRS", "when": "end", "window_days": 14}])
    enrol(patient, clinician, version, start=D)  # 4 weeks: days 0-27
    assert due_for(patient, D + dt.timedelta(days=27)) == []
    assert codes(due_for(patient, D + dt.timedelta(days=28))) == [("NRS", "end of programme")]


def test_a_withdrawn_patient_is_asked_nothing_more(instruments, people):
    patient, clinician = people
    version = scheduled_version([
        {"instrument": "PEG-3", "when": "weekly"},
        {"instrument": "NRS", "when": "end"},
        {"instrument": "NRS", "when": "follow_up", "months": 3},
    ])
    e = enrol(patient, clinician, version, start=D)
    enrolments.withdraw(e, D + dt.timedelta(days=9))
    for day in (D + dt.timedelta(days=9), D + dt.timedelta(days=28), add_months(D, 4)):
        assert due_for(patient, day) == []


def test_a_disabled_instrument_is_neither_due_nor_missed(instruments, people):
    patient, clinician = people
    version = scheduled_version([{"instrument": "PCS", "when": "baseline"}])  # shipped disabled
    enrol(patient, clinician, version, start=D)
    assert due_for(patient, D) == []
    assert overdue_for([patient], D + dt.timedelta(days=30)) == {}


def test_due_for_and_overdue_for_take_a_fixed_number_of_queries(
    instruments, people, django_assert_max_num_queries
):
    patient, clinician = people
    rows = [{"instrument": "PEG-3", "when": "weekly"}, {"instrument": "NRS", "when": "end"}]
    patients = [patient] + [PatientFactory(clinic=clinician.clinic) for _ in range(5)]
    for i in range(3):
        version = scheduled_version(rows, slug=f"s{i}")
        for p in patients:
            enrol(p, clinician, version, start=D)
    with django_assert_max_num_queries(7):
        due_for(patient, D)
    with django_assert_max_num_queries(7):
        missed = overdue_for(patients, D + dt.timedelta(days=60))
    assert set(missed) == {p.pk for p in patients}


def test_today_shows_the_due_questionnaire_until_it_is_answered(instruments, people, client):
    patient, clinician = people
    today = patient.local_today()
    version = scheduled_version([{"instrument": "PEG-3", "when": "weekly"}])
    enrol(patient, clinician, version, start=today - dt.timedelta(days=2))
    client.force_login(patient)
    page = client.get(reverse("journaling:today")).content.decode()
    assert reverse("outcomes:answer", args=["PEG-3"]) in page
    answer(patient, "PEG-3", today)
    page = client.get(reverse("journaling:today")).content.decode()
    assert reverse("outcomes:answer", args=["PEG-3"]) not in page
    assert "Nothing due today" in page


def test_due_since_gives_the_caseload_the_oldest_unanswered_slot(instruments, people):
    from outcomes.schedule import due_since

    patient, clinician = people
    today = patient.local_today()
    version = scheduled_version([
        {"instrument": "PHQ-9", "when": "baseline", "window_days": 3},
        {"instrument": "PEG-3", "when": "weekly", "window_days": 7},
    ])
    start = today - dt.timedelta(days=9)
    enrol(patient, clinician, version, start=start)
    # Baseline (opened start - 3) missed, week 1 missed, week 2 open since day 8.
    assert due_since([patient.pk]) == {patient.pk: start - dt.timedelta(days=3)}
    answer(patient, "PHQ-9", start)
    answer(patient, "PEG-3", start + dt.timedelta(days=1))
    assert due_since([patient.pk]) == {patient.pk: start + dt.timedelta(days=7)}
    answer(patient, "PEG-3", today)
    assert due_since([patient.pk]) == {}
