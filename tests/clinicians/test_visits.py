"""Follow-up visits: the suggested date, scheduling once, recording, odd dates, and the
patient's Today panel."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from clinicians import visits
from clinicians.models_visits import FollowUpVisit
from recovery import panels
from tests.conftest import client_for
from tests.factories import enrol, published_version

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 12)
NY = zoneinfo.ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def enrolled(patient, clinician):
    patient.clinic.time_zone = "America/New_York"
    patient.clinic.save()
    enrol(patient, clinician, published_version(), start=dt.date(2026, 3, 2))
    return patient


def test_the_suggested_date_is_four_weeks_after_the_initial_consultation(enrolled):
    when = visits.suggested_start(enrolled, TODAY, NY)
    assert when == dt.datetime(2026, 3, 30, 10, 0, tzinfo=NY)
    # Past already (a late first follow-up): next week.
    later = visits.suggested_start(enrolled, dt.date(2026, 4, 2), NY)
    assert later.date() == dt.date(2026, 4, 9)


def test_schedule_record_done_and_missed(enrolled, clinician):
    when = dt.datetime(2026, 3, 16, 10, 0, tzinfo=NY)
    visit, created = visits.schedule(enrolled, clinician, when, "video")
    again, created_again = visits.schedule(enrolled, clinician, when, "video")
    assert created and not created_again and again == visit
    assert FollowUpVisit.objects.count() == 1
    with pytest.raises(ValidationError, match="has not happened yet"):
        visits.record(visit, status="done", summary="early")
    visits.record(visit, status="scheduled", summary="Prepare: ask about sleep")
    visit.refresh_from_db()
    assert visit.status == "scheduled" and visit.summary == "Prepare: ask about sleep"
    after = when + dt.timedelta(hours=1)
    visits.record(visit, status="done", summary="Better", discussed="Work", plan="Walk", now=after)
    visit.refresh_from_db()
    assert (visit.status, visit.plan) == ("done", "Walk")
    assert visits.last_held(enrolled) == visit
    missed, _ = visits.schedule(enrolled, clinician, when + dt.timedelta(days=7))
    visits.record(missed, status="missed", now=when + dt.timedelta(days=8))
    assert FollowUpVisit.objects.get(pk=missed.pk).status == "missed"


def test_a_cancelled_time_can_be_booked_again(enrolled, clinician):
    when = dt.datetime(2026, 3, 16, 10, 0, tzinfo=NY)
    visit, _ = visits.schedule(enrolled, clinician, when)
    visits.record(visit, status="cancelled")
    fresh, created = visits.schedule(enrolled, clinician, when)
    assert created and fresh != visit


def test_the_schedule_page_prefills_and_books_once(enrolled, clinician):
    client = client_for(clinician)
    url = f"/clinic/patients/{enrolled.pk}/visits/new/"
    page = client.get(url).content.decode()
    assert 'value="2026-03-30"' in page and 'value="10:00"' in page
    data = {"date": "2026-03-30", "time": "10:00", "mode": "phone"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a double click
    visit = FollowUpVisit.objects.get()
    assert visit.scheduled_for == dt.datetime(2026, 3, 30, 10, 0, tzinfo=NY)
    assert visit.mode == "phone" and visit.clinician == clinician


@pytest.mark.parametrize(
    "date, message",
    [
        ("2026-02-30", "That is not a date we can read"),
        ("9999-01-01", "That date is too far away: choose one from January 2016 to December 2028."),
        ("2026-03-01", "That day has passed"),
        ("", "This field is required."),
    ],
)
def test_odd_dates_get_a_clear_message(enrolled, clinician, date, message):
    response = client_for(clinician).post(
        f"/clinic/patients/{enrolled.pk}/visits/new/", {"date": date, "time": "10:00", "mode": "video"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FollowUpVisit.objects.exists()


def test_marking_a_future_visit_done_says_why_and_keeps_the_notes(enrolled, clinician):
    visit, _ = visits.schedule(enrolled, clinician, dt.datetime(2026, 3, 16, 10, 0, tzinfo=NY))
    url = f"/clinic/patients/{enrolled.pk}/visits/{visit.pk}/"
    response = client_for(clinician).post(
        url, {"status": "done", "summary": "Notes", "discussed": "", "plan": ""}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "has not happened yet" in body and "Notes" in body
    assert FollowUpVisit.objects.get().status == "scheduled"


def test_the_today_panel_shows_the_next_visit_in_the_patients_time(enrolled, clinician):
    assert visits.today_panel(enrolled, TODAY) is None
    visits.schedule(enrolled, clinician, dt.datetime(2026, 3, 16, 14, 30, tzinfo=dt.UTC), "phone")
    panel = visits.today_panel(enrolled, TODAY)
    assert panel is not None and panel.name == "next-visit"
    html = render_to_string(panel.template, {"panel": panel.context})
    # 14:30 UTC is 10:30 in New York (daylight time from 8 March).
    assert "Monday 16 March</strong> at 10:30" in html and "phone" in html
    assert [p.name for p in panels.for_today(enrolled, TODAY) if p.name == "next-visit"]


def test_the_next_visit_is_on_the_patients_today_page(enrolled, clinician):
    visits.schedule(enrolled, clinician, dt.datetime(2026, 3, 12, 18, 0, tzinfo=dt.UTC), "video")
    body = client_for(enrolled).get("/today/").content.decode()
    assert "Your next follow-up visit" in body
    assert "<strong>Today</strong> at 14:00" in body, body[body.find("next-visit"):][:600]


def test_my_data_pages_say_how_visit_notes_are_kept(patient):
    client = client_for(patient)
    for url in ("/my-data/", "/my-data/delete/"):
        assert "visit notes" in client.get(url).content.decode().lower(), url
