"""Every patient page costs the same number of queries with nine days of data as with a year.

Two patients of one clinic: one nine days into their programmes, one with a year of history
generated the way `make bench` generates it (bench.data.year_of_history: programmes back to
back, most days a check-in, the due exercises and a journal entry). Each page is asked for by
both, with the cache emptied first (charts drawn, not read back: the most a request costs),
under one bound per page; and the two counts must be equal, so no page reads row by row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.data import year_of_history
from journaling.checkins import save_checkin
from journaling.models import JournalEntry
from programs.models import Program
from programs.schedule import forget_frozen_content
from tests.conftest import client_for
from tests.factories import PatientFactory
from tests.journaling.test_history import make_version

# The most queries each page may make, whatever the data: today's counts plus one, for the
# page frame. (Today here has no questionnaire schedule: the demo's programmes add 4.)
BUDGETS = {
    "today": 13,  # 3 fewer once the process has read the published programmes (WARM below)
    "check-in POST (htmx)": 16,  # the write (4) and the card and week it returns
    "check-in POST (no JS)": 8,  # the write and a redirect: no page built
    "journal": 7,
    "journal entry": 6,
    "history": 19,  # charts drawn: 7 fewer when read back from the cache
    "history, a month a year ago": 19,
    "history, 90 days": 19,
    "my data": 5,
}


def _programmes() -> list[Program]:
    return [
        make_version(weeks=3, slug="home").program,
        make_version(weeks=2, slug="group", group_session=True).program,
    ]


def _requests(client: Client, patient) -> dict[str, Callable[[], int]]:
    today = patient.local_today()
    # The day's check-in exists, as for most check-in posts (people change it through the
    # day): the first of the day, which also returns the week's progress, is counted below.
    save_checkin(patient, today, 5, 5, 5)
    entry = (
        JournalEntry.objects.filter(patient=patient)
        .exclude(visibility=JournalEntry.Visibility.RELEASED)
        .order_by("-local_date")
        .first()
    )
    assert entry is not None
    year_ago = (today - dt.timedelta(days=330)).replace(day=1)
    checkin = {"pain": "4", "stress": "5", "mood": "6", "note": "Budget"}

    def get(url: str, **headers: str) -> Callable[[], int]:
        return lambda: client.get(url, headers=headers).status_code

    def post(url: str, data: dict[str, str], **headers: str) -> Callable[[], int]:
        return lambda: client.post(url, data, headers=headers).status_code

    return {
        "today": get("/today/"),
        "check-in POST (htmx)": post("/today/check-in/", checkin, HX_Request="true"),
        "check-in POST (no JS)": post("/today/check-in/", checkin),
        "journal": get("/journal/"),
        "journal entry": get(f"/journal/{entry.pk}/"),
        "history": get("/history/"),
        "history, a month a year ago": get(f"/history/?month={year_ago:%Y-%m}"),
        "history, 90 days": get("/history/?days=90"),
        "my data": get("/my-data/"),
    }


def _count(request: Callable[[], int]) -> int:
    cache.clear()
    forget_frozen_content()  # and the published versions' content is read afresh
    with CaptureQueriesContext(connection) as ctx:
        assert request() in (200, 302)
    return len(ctx.captured_queries)


@pytest.fixture
def two_patients(db, clinician):
    programmes = _programmes()
    short = PatientFactory(email="nine-days@example.test", time_zone="Europe/Berlin")
    long = PatientFactory(email="a-year@example.test", time_zone="Europe/Berlin")
    year_of_history(short, clinician, 9, programmes)
    year_of_history(long, clinician, 365, programmes)
    assert JournalEntry.objects.filter(patient=long).count() > 200
    return short, long


@pytest.mark.django_db
def test_patient_pages_cost_the_same_queries_with_a_year_of_data(
    two_patients, django_assert_max_num_queries
):
    counts: dict[str, list[int]] = {name: [] for name in BUDGETS}
    for patient in two_patients:
        client = client_for(patient)
        for name, request in _requests(client, patient).items():
            with django_assert_max_num_queries(BUDGETS[name], info=name):
                counts[name].append(_count(request))
    grows = {name: pair for name, pair in counts.items() if pair[0] != pair[1]}
    assert not grows, f"queries grow with the data (9 days, a year): {grows}"


# Today and its check-in once the process has read the published programmes' content (every
# request after the first: programs.schedule.load_for_plan): exactly these counts, so a
# panel or a card that starts re-reading what Today loaded shows here.
WARM = {
    "today": 9,  # session, user, enrolments, pauses, completions, check-ins, meeting, 2 panels
    # Changing the day's check-in: session, user, and the write (savepoint, update, the
    # patient's data stamp, release); the card is built from the values saved, nothing read.
    "check-in POST (htmx)": 6,
    "check-in POST (no JS)": 6,  # the same write and a redirect: no page built
}


@pytest.mark.django_db
def test_today_reads_published_programmes_once_per_process(two_patients):
    for patient in two_patients:
        client = client_for(patient)
        requests = _requests(client, patient)
        for name, expected in WARM.items():
            cold = _count(requests[name])  # the cache emptied: the content read
            cache.clear()
            with CaptureQueriesContext(connection) as ctx:
                assert requests[name]() in (200, 302)
            assert len(ctx.captured_queries) == expected, (name, [q["sql"][:80] for q in ctx])
            if name == "today":  # (a first check-in of the day creates its row: more queries)
                assert cold == expected + 3, name  # weeks, exercises, sessions
