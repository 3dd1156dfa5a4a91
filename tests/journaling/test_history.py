"""The patient's History page: calendar, timeline, charts; only the patient sees it."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from journaling import progress
from journaling.models import CheckIn, ExerciseCompletion, JournalEntry
from programs.models import (
    Enrolment,
    EnrolmentPause,
    ExerciseTemplate,
    Program,
    ProgramVersion,
    Session,
    Week,
)
from recovery import freshness
from tests.conftest import client_for
from tests.factories import PatientFactory

# 2026-03-01 02:00 UTC is still Saturday 28 February in New York (the patient's zone).
NEW_YORK_EVENING = dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)
NOV_15 = dt.datetime(2026, 11, 15, 17, 0, tzinfo=dt.UTC)


def make_version(weeks: int = 3, slug: str = "home", group_session: bool = False) -> ProgramVersion:
    program = Program.objects.create(slug=slug, title=f"{slug.title()} programme")
    version = ProgramVersion.objects.create(program=program, number=1)
    for n in range(1, weeks + 1):
        Week.objects.create(version=version, number=n, title=f"Week {n}")
    ExerciseTemplate.objects.create(
        version=version, slug="write", kind="expressive_writing", title="Write about stressors",
        instructions="Write for 20 minutes.", weeks=list(range(1, weeks + 1)),
    )
    ExerciseTemplate.objects.create(
        version=version, slug="walk", kind="physical_activity", title="Gentle walk",
        instructions="Walk.", weeks=list(range(1, weeks + 1)), cadence="times_per_week",
        times_per_week=3,
    )
    if group_session:
        Session.objects.create(
            version=version, slug="g1", kind="group", title="Session 1: the mind-body link",
            week=1, day=2, duration_minutes=120,
        )
    version.status = ProgramVersion.Status.PUBLISHED
    version.save()
    return version


def enrol(patient, clinician, version: ProgramVersion, start: dt.date) -> Enrolment:
    return Enrolment.objects.create(
        patient=patient, clinician=clinician, version=version, start_date=start
    )


def fill_days(patient, enrolment: Enrolment, start: dt.date, days: int) -> None:
    write = enrolment.version.exercises.get(slug="write")
    for i in range(days):
        day = start + dt.timedelta(days=i)
        CheckIn.objects.create(patient=patient, local_date=day, pain=7 - i % 3, stress=4, mood=5)
        ExerciseCompletion.objects.create(
            patient=patient, enrolment=enrolment, exercise=write, local_date=day, minutes=20
        )
        JournalEntry.objects.create(
            patient=patient, local_date=day, body=f"Entry {i}", status="saved"
        )


class _CalendarLinks(HTMLParser):
    """Each calendar link as (accessible name, visible text, href), the way a browser works
    them out: the name is aria-label if there is one, else the text outside aria-hidden;
    the visible text is the text outside .visually-hidden."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []
        self._in_calendar = False
        self._link: dict | None = None
        self._stack: list[tuple[str, bool, bool]] = []  # tag, hides from name, hides from eye

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "calendar" in (attrs.get("class") or ""):
            self._in_calendar = True
        if not self._in_calendar:
            return
        if tag == "a":
            self._link = {"label": attrs.get("aria-label"), "name": "", "visible": "",
                          "href": attrs.get("href", ""), "depth": len(self._stack)}
        self._stack.append((tag, attrs.get("aria-hidden") == "true",
                            "visually-hidden" in (attrs.get("class") or "")))

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_calendar = False
        if not self._in_calendar or not self._stack:
            return
        self._stack.pop()
        if tag == "a" and self._link is not None:
            link = self._link
            name = link["label"] if link["label"] is not None else link["name"]
            self.links.append((_squash(name), _squash(link["visible"]), link["href"]))
            self._link = None

    def handle_data(self, data):
        if self._link is None:
            return
        inside = self._stack[self._link["depth"]:]
        if not any(hidden for _, hidden, _ in inside):
            self._link["name"] += data
        if not any(invisible for _, _, invisible in inside):
            self._link["visible"] += data


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def calendar_links(body: str) -> list[tuple[str, str, str]]:
    parser = _CalendarLinks()
    parser.feed(body)
    return parser.links


def calendar_link_names(body: str) -> list[str]:
    return [name for name, _, _ in calendar_links(body)]


def link_after(body: str, text: str) -> str:
    """The href of the link whose text is `text` (the first one)."""
    match = re.search(r'<a href="([^"]*)"[^>]*>' + re.escape(text) + "</a>", body)
    assert match, f"no link {text!r}"
    return match.group(1).replace("&amp;", "&")


def heading(body: str) -> str:
    match = re.search(r'<h2 id="calendar-heading">([^<]*)</h2>', body)
    assert match
    return match.group(1)


# --- Access ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_patient_sees_their_history(patient, patient_client, clinician):
    enrolment = enrol(patient, clinician, make_version(), dt.date(2026, 11, 9))
    with time_machine.travel(NOV_15, tick=False):
        fill_days(patient, enrolment, dt.date(2026, 11, 9), 7)
        response = patient_client.get("/history/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "November 2026" in body
    assert "Write about stressors" in body  # today's timeline
    assert "Checked in" in body
    assert response["Vary"] and "HX-Request" in response["Vary"]


@pytest.mark.django_db
def test_clinicians_get_404(patient, clinician, clinician_client, other_clinician_client):
    enrol(patient, clinician, make_version(), dt.date(2026, 11, 9))
    assert clinician_client.get("/history/").status_code == 404
    assert other_clinician_client.get("/history/").status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/history/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- Calendar and timeline -------------------------------------------------------------


@pytest.mark.django_db
def test_calendar_uses_the_patients_local_date(patient, patient_client):
    # In UTC it is already 1 March; for the New York patient it is still 28 February.
    CheckIn.objects.create(patient=patient, local_date=dt.date(2026, 2, 28), pain=3, stress=2, mood=7)
    with time_machine.travel(NEW_YORK_EVENING, tick=False):
        body = patient_client.get("/history/").content.decode()
    assert "February 2026" in body
    assert 'class=" today" data-date="2026-02-28"' in body
    assert "28 February, checked in, pain 3, stress 2, mood 7 (today)" in calendar_link_names(body)
    # 1 March is the future for this patient: not a link.
    assert 'href="?day=2026-03-01"' not in body


@pytest.mark.django_db
def test_timeline_times_are_local_and_released_entries_say_so(patient, patient_client):
    day = dt.date(2026, 11, 12)
    JournalEntry.objects.create(
        patient=patient, local_date=day, visibility="released", status="saved", minutes=12,
        created_at=dt.datetime(2026, 11, 12, 23, 30, tzinfo=dt.UTC),
    )
    JournalEntry.objects.create(
        patient=patient, local_date=day, visibility="private", status="saved",
        title="About my father", body="He never listened.",
        created_at=dt.datetime(2026, 11, 12, 14, 5, tzinfo=dt.UTC),
    )
    with time_machine.travel(NOV_15, tick=False):
        body = patient_client.get("/history/?day=2026-11-12").content.decode()
    assert "Thursday 12 November 2026" in body
    assert "Wrote and released</strong> (12 min)" in body
    assert "18:30" in body  # 23:30 UTC in New York
    assert "About my father" in body and "He never listened." in body
    assert body.index("09:05") < body.index("18:30")  # in the order it happened


@pytest.mark.django_db
def test_week_view_lists_seven_days(patient, patient_client):
    CheckIn.objects.create(patient=patient, local_date=dt.date(2026, 11, 10), pain=5, stress=5, mood=5)
    with time_machine.travel(NOV_15, tick=False):
        body = patient_client.get("/history/?week=2026-11-12").content.decode()
    assert "Week of 9 November – 15 November 2026" in body
    assert body.count("<h3>") == 7
    assert "pain 5, stress 5, mood 5" in body


@pytest.mark.django_db
def test_bad_parameters_fall_back_to_today(patient, patient_client):
    with time_machine.travel(NOV_15, tick=False):
        response = patient_client.get("/history/?day=2026-13-45&month=nope&days=7")
    assert response.status_code == 200
    assert "November 2026" in response.content.decode()


@pytest.mark.django_db
def test_month_navigation_and_htmx_partial(patient, patient_client):
    with time_machine.travel(NOV_15, tick=False):
        full = patient_client.get("/history/?month=2026-10").content.decode()
        partial = patient_client.get("/history/?month=2026-10", HTTP_HX_REQUEST="true")
    assert "October 2026" in full
    assert 'href="?month=2026-09"' in full and 'href="?month=2026-11"' in full
    assert "Choose a day in the calendar" in full
    text = partial.content.decode()
    assert text.lstrip().startswith('<div id="history-body"')
    assert "<html" not in text


@pytest.mark.django_db
def test_calendar_links_say_what_they_show(patient, patient_client, clinician):
    """Speech and voice control users name a day link by what they see: every link's
    accessible name contains its visible text (axe: label-content-name-mismatch)."""
    enrolment = enrol(patient, clinician, make_version(), dt.date(2026, 11, 9))
    fill_days(patient, enrolment, dt.date(2026, 11, 9), 3)
    with time_machine.travel(NOV_15, tick=False):
        body = patient_client.get("/history/?month=2026-11").content.decode()
    links = calendar_links(body)
    assert len(links) == 15 + 6  # 1-15 November and the end of October in the grid
    for name, visible, _ in links:
        assert visible and visible in name, (visible, name)
    assert "9 November, checked in, pain 7, stress 4, mood 5, 1 exercise done, 1 journal entry" in (
        calendar_link_names(body)
    )
    assert "15 November, nothing logged (today)" in calendar_link_names(body)
    assert "P7" in body  # the terse marks are still there for the eye


@pytest.mark.django_db
def test_timeline_names_the_time_zone_the_way_the_profile_form_does(patient, patient_client):
    with time_machine.travel(NOV_15, tick=False):
        body = patient_client.get("/history/").content.decode()
    assert "Times are in your time zone, America/New York." in body
    assert "America/New_York" not in body


# --- Odd dates in the address ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "month=0001-01", "month=9999-12", "day=0001-01-01", "day=9999-12-31", "week=0001-01-01",
        "week=9999-12-31", "month=abc", "month=2026-13", "month=2026-1", "day=2026-02-30",
        "day=20261112", "month=%00", "day=%00", "week=2026-11-0%00", "day=2015-12-31",
        "month=2029-01",
    ],
)
def test_odd_dates_show_this_month_with_a_message(patient, patient_client, query):
    with time_machine.travel(NOV_15, tick=False):
        for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = patient_client.get(f"/history/?{query}", **extra)
            assert response.status_code == 200
            body = response.content.decode()
            assert heading(body) == "November 2026"
            assert '<div class="message error" role="alert">' in body
            assert "Showing this month instead." in body
            assert "Today</h2>" in body  # today's timeline, as on a plain visit
            assert "\x00" not in body


@pytest.mark.django_db
def test_dates_out_of_the_window_say_which_are_allowed(patient, patient_client):
    with time_machine.travel(NOV_15, tick=False):
        body = patient_client.get("/history/?day=9999-12-31").content.decode()
    assert "That date is too far away: choose one from January 2016 to December 2028." in body


@pytest.mark.django_db
def test_navigation_stops_at_the_edges_of_the_window(patient, patient_client):
    with time_machine.travel(NOV_15, tick=False):
        first = patient_client.get("/history/?month=2016-01").content.decode()
        last = patient_client.get("/history/?month=2028-12").content.decode()
        first_day = patient_client.get("/history/?day=2016-01-01").content.decode()
        first_week = patient_client.get("/history/?week=2016-01-01").content.decode()
    assert heading(first) == "January 2016" and "Previous month" not in first
    assert 'href="?month=2016-02"' in first
    assert heading(last) == "December 2028" and "Next month" not in last
    assert "Previous day" not in first_day and "Next day" in first_day
    assert "See the whole week" in first_day  # a week that starts in 2015 still opens
    assert "Week of 28 December – 3 January 2016" in first_week
    assert "Previous week" not in first_week and "Next week" in first_week
    for page in (first, last, first_day, first_week):
        assert "role=\"alert\"" not in page


# --- Moving between months and weeks ---------------------------------------------------


@pytest.mark.django_db
def test_see_the_whole_week_and_previous_month_stay_on_the_month_on_screen(patient, patient_client):
    # Sunday 1 November: its week began on Monday 26 October.
    with time_machine.travel(NOV_15, tick=False):
        day = patient_client.get("/history/?day=2026-11-01").content.decode()
        assert heading(day) == "November 2026"
        week = patient_client.get("/history/" + link_after(day, "See the whole week")).content.decode()
        assert "Week of 26 October – 1 November 2026" in week
        assert heading(week) == "November 2026"  # not October: the patient was on November
        previous = link_after(week, '<span aria-hidden="true">←</span> <span class="visually-hidden">Previous month: </span>Oct')
        assert parse_qs(urlparse(previous).query)["month"] == ["2026-10"]
        # Moving on by weeks: the calendar follows once the week leaves the month's grid.
        earlier = patient_client.get("/history/" + link_after(week, "← Previous week")).content.decode()
        assert "Week of 19 October – 25 October 2026" in earlier
        assert heading(earlier) == "October 2026"
        back = patient_client.get("/history/" + link_after(earlier, "Next week →")).content.decode()
        assert heading(back) == "October 2026"  # the week of 26 October is in October's grid too
        later = patient_client.get("/history/?week=2026-11-02&month=2026-10").content.decode()
        assert heading(later) == "November 2026"


# --- Charts on the page ----------------------------------------------------------------


@pytest.mark.django_db
def test_charts_with_summary_and_table(patient, patient_client, clinician):
    enrolment = enrol(patient, clinician, make_version(), dt.date(2026, 11, 2))
    with time_machine.travel(NOV_15, tick=False):
        fill_days(patient, enrolment, dt.date(2026, 11, 2), 14)
        body = patient_client.get("/history/?days=90").content.decode()
    assert body.count("<svg") == 2
    assert 'aria-hidden="true"' in body
    assert "<script" not in body.split("</header>", 1)[1]
    assert "Pain " in body and "in the first week" in body
    assert "Exercises done each week: Home programme" in body
    assert "You did 14 of" in body
    assert 'aria-current="true">Last 90 days' in body


# --- Adherence -------------------------------------------------------------------------


@pytest.mark.django_db
def test_weekly_adherence_counts_due_with_the_plan(patient, clinician):
    start = dt.date(2026, 11, 2)  # a Monday
    enrolment = enrol(patient, clinician, make_version(weeks=3), start)
    write = enrolment.version.exercises.get(slug="write")
    walk = enrolment.version.exercises.get(slug="walk")
    for i in range(7):  # week 1: writing every day, walking 4 times (3 due)
        day = start + dt.timedelta(days=i)
        ExerciseCompletion.objects.create(patient=patient, enrolment=enrolment, exercise=write, local_date=day)
        if i < 4:
            ExerciseCompletion.objects.create(patient=patient, enrolment=enrolment, exercise=walk, local_date=day)
    ExerciseCompletion.objects.create(
        patient=patient, enrolment=enrolment, exercise=write, local_date=start + dt.timedelta(days=8)
    )
    today = start + dt.timedelta(days=9)  # Wednesday of week 2
    [(found, weeks)] = progress.adherence_by_enrolment(patient, today)
    assert found == enrolment
    assert [(w.week, w.done, w.due, w.in_progress) for w in weeks][0] == (1, 10, 10, False)
    week2 = weeks[1]
    assert week2.in_progress and week2.done == 1
    assert week2.due == 3 + 2  # writing Mon-Wed; walks fall on days 1, 3 and 5


# --- Query count -----------------------------------------------------------------------


def _count(patient_client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert patient_client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _history_queries(patient_client, url: str) -> int:
    cache.clear()  # charts drawn, not read from the cache: the most a request costs
    return _count(patient_client, url)


@pytest.mark.django_db
def test_history_query_count_is_fixed(
    patient, patient_client, clinician, django_assert_max_num_queries
):
    start = dt.date(2026, 9, 17)
    enrolment = enrol(patient, clinician, make_version(weeks=12), start)
    enrol(patient, clinician, make_version(weeks=2, slug="group"), start)
    today = dt.date(2026, 11, 15)
    with time_machine.travel(NOV_15, tick=False):
        fill_days(patient, enrolment, today, 1)
        few = _history_queries(patient_client, "/history/?days=90")
        fill_days(patient, enrolment, today - dt.timedelta(days=60), 60)
        many = _history_queries(patient_client, "/history/?days=90")
        week = _history_queries(patient_client, "/history/?week=2026-11-09")
        # Session, user, profile, 3 for the calendar, 2 for the trend chart, 1 for the
        # programmes, 8 for the current one's adherence, and the page frame (the clinic's
        # crisis line): a little headroom for the frame.
        with django_assert_max_num_queries(19):
            patient_client.get("/history/?days=90")
        cache.clear()
        patient_client.get("/history/?days=90")
        page_cached = _count(patient_client, "/history/?days=90")
        freshness.touch(patient.pk)  # the page's copy is stale; the charts' inputs are not
        patient.refresh_from_db()
        charts_cached = _count(patient_client, "/history/?days=90")
    assert few == many == week
    assert page_cached == 2  # session and user: the rendered page read back
    assert charts_cached == few - 7  # nothing drawn: no scores, no programme data read


# --- One adherence chart, earlier programmes on request, charts cached by their inputs ---


def _svgs(body: str) -> int:
    return body.count("<svg")


@pytest.mark.django_db
def test_one_adherence_chart_and_earlier_programmes_on_request(
    patient, patient_client, clinician, clinician_client
):
    stranger = client_for(PatientFactory(email="someone-else@example.test"))
    old = enrol(patient, clinician, make_version(weeks=2, slug="workshop"), dt.date(2026, 9, 1))
    old.status, old.completed_on = Enrolment.Status.COMPLETED, dt.date(2026, 9, 15)
    old.save()
    current = enrol(patient, clinician, make_version(), dt.date(2026, 11, 2))
    with time_machine.travel(NOV_15, tick=False):
        fill_days(patient, old, dt.date(2026, 9, 1), 14)
        fill_days(patient, current, dt.date(2026, 11, 2), 14)
        body = patient_client.get("/history/").content.decode()
        url = f"/history/programme/{old.pk}/"
        partial = patient_client.get(url, headers={"HX-Request": "true"}).content.decode()
        page = patient_client.get(url).content.decode()
        refused = {stranger.get(url).status_code, clinician_client.get(url).status_code}
    assert _svgs(body) == 2  # the trend and the current programme's adherence, no more
    assert "Exercises done each week: Home programme" in body
    assert f'hx-get="{url}"' in body and f'href="{url}"' in body  # htmx, or a page without JS
    assert "Workshop programme (started 1 September 2026)" in body
    assert _svgs(partial) == 1 and "<html" not in partial
    assert "You did 14 of" in partial  # the old programme's own completions
    assert _svgs(page) == 1 and "<html" in page and "Back to your history" in page
    assert refused == {404}


@pytest.mark.django_db
def test_charts_are_cached_until_their_data_changes(patient, patient_client, clinician):
    enrolment = enrol(patient, clinician, make_version(), dt.date(2026, 11, 2))
    with time_machine.travel(NOV_15, tick=False):
        fill_days(patient, enrolment, dt.date(2026, 11, 2), 7)
        first = patient_client.get("/history/").content.decode()
        again = patient_client.get("/history/").content.decode()
        # Read back, not drawn again (every drawing has a new uuid in its ids).
        assert re.findall(r"<svg.*?</svg>", again, re.S) == re.findall(r"<svg.*?</svg>", first, re.S)
        CheckIn.objects.filter(patient=patient, local_date=dt.date(2026, 11, 8)).update(
            pain=0, updated_at=dt.datetime(2026, 11, 15, 18, tzinfo=dt.UTC)
        )
        edited = patient_client.get("/history/?day=2026-11-08").content.decode()
        assert "lowest 0 on 8 Nov" in edited
        assert "You did 7 of" in edited
        write = enrolment.version.exercises.get(slug="write")
        ExerciseCompletion.objects.create(
            patient=patient, enrolment=enrolment, exercise=write, local_date=dt.date(2026, 11, 9)
        )
        before = patient_client.get("/history/").content.decode()
        assert "You did 8 of" in before
        EnrolmentPause.objects.create(enrolment=enrolment, start=dt.date(2026, 11, 12))
        paused = patient_client.get("/history/").content.decode()
    summary = re.compile(r"You did \d+ of \d+ exercises")
    assert summary.search(paused).group() != summary.search(before).group()  # fewer due
