"""Regression tests of the cohort pages' defects (issue 7): dates and places outside the sane
window, patients out of step with a cohort, the summary after an htmx save, phone layout and
keyboard access of scroll regions."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from programs import cohorts
from programs.models import Attendance, Cohort, CohortMembership, Occurrence
from tests.conftest import client_for
from tests.factories import AdminFactory, PatientFactory
from tests.programs.test_cohorts import enrol, make_version, ny_clinic

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC)  # Thursday 12 March, 11:00 in New York


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def new_cohort(client, version, **changes):
    data = {
        "version": version.pk, "name": "Spring group", "start_date": "2026-04-06",
        "meeting_time": "18:30", "capacity": "8", "location": "", "video_link": "", **changes,
    }
    return client.post("/clinic/cohorts/new/", data)


# --- 4: dates and places outside a sane window --------------------------------------------------


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"start_date": "9999-12-01"}, "you gave 1 December 9999"),
        ({"start_date": "1900-01-01"}, "you gave 1 January 1900"),
        ({"capacity": "0"}, "between 1 and 100 places (you gave 0)"),
        ({"capacity": "100000"}, "between 1 and 100 places (you gave 100000)"),
    ],
)
def test_a_cohort_outside_the_window_gets_a_message_and_nothing_is_saved(
    clinician_client, changes, message
):
    version = make_version(weeks=3)
    response = new_cohort(clinician_client, version, **changes)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Cohort.objects.exists() and not Occurrence.objects.exists()


def test_the_window_is_stated_with_its_years(clinician_client):
    body = new_cohort(clinician_client, make_version(), start_date="9999-12-01").content.decode()
    assert "between 11 March 2025 and 13 March 2028" in body


def test_creating_is_all_or_nothing(clinician, monkeypatch):
    ny_clinic()
    version = make_version()

    def broken(cohort):
        raise RuntimeError("the scheduler failed")

    monkeypatch.setattr(cohorts, "generate_occurrences", broken)
    cohort = Cohort(clinic=clinician.clinic, version=version, name="X",
                    start_date=dt.date(2026, 4, 6))
    with pytest.raises(RuntimeError):
        cohorts.create_cohort(cohort, clinician)
    assert not Cohort.objects.exists()


def test_moving_a_session_to_year_9999_is_refused_with_the_year_said(cohort, clinician_client):
    first = cohort.occurrences.order_by("starts_at").first()
    before = first.starts_at
    response = clinician_client.post(
        f"/clinic/cohorts/{cohort.pk}/sessions/{first.pk}/move/",
        {"date": "9999-12-31", "time": "23:30", "location": ""},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "was not moved" in body and "you gave 31 December 9999" in body
    first.refresh_from_db()
    assert first.starts_at == before


def test_the_admin_applies_the_same_window(clinician):
    ny_clinic()
    version = make_version(weeks=2)
    response = client_for(AdminFactory()).post(
        "/admin/programs/cohort/add/",
        {
            "clinic": clinician.clinic_id, "version": version.pk, "name": "Far future",
            "facilitators": [clinician.pk], "start_date": "9999-12-01", "meeting_time": "18:00",
            "capacity": "100000", "location": "", "video_link": "", "created_at_0": "2026-03-12",
            "created_at_1": "10:00",
            "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
            "occurrences-TOTAL_FORMS": "0", "occurrences-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "you gave 1 December 9999" in body and "you gave 100000" in body
    assert not Cohort.objects.exists()


# --- 5: a patient out of step with the cohort ----------------------------------------------------


def test_a_patient_enrolled_today_cannot_join_a_cohort_that_started_weeks_ago(
    cohort, clinician, clinician_client
):
    late = PatientFactory(email="late@example.test")
    enrol(late, clinician, cohort.version, start=dt.date(2026, 3, 12))
    page = clinician_client.get(f"/clinic/cohorts/{cohort.pk}/").content.decode()
    assert "Out of step with this cohort" in page
    response = clinician_client.post(
        f"/clinic/cohorts/{cohort.pk}/members/", {"patient": late.pk}, follow=True
    )
    body = response.content.decode()
    assert "day 1 of the" in body and "12 March 2026" in body and "2 March 2026" in body
    assert not cohorts.is_member(cohort, late)


def test_a_patient_of_a_newer_version_cannot_join_an_older_versions_cohort(
    cohort, clinician, clinician_client
):
    newer = make_version(weeks=3)  # version 2 of the same programme
    patient = PatientFactory()
    enrol(patient, clinician, newer)  # same day 1 as the cohort
    response = clinician_client.post(
        f"/clinic/cohorts/{cohort.pk}/members/", {"patient": patient.pk}, follow=True
    )
    assert "follows version 2" in response.content.decode()
    assert not cohorts.is_member(cohort, patient)


def test_attendance_lists_no_member_for_meetings_before_their_day_1(cohort, clinician, clinician_client):
    # A member out of step from before the check (or added directly): day 1 on 10 March.
    late = PatientFactory(email="late@example.test")
    CohortMembership.objects.create(
        cohort=cohort, enrolment=enrol(late, clinician, cohort.version, start=dt.date(2026, 3, 10))
    )
    first, second, third = cohort.occurrences.order_by("starts_at")  # 2, 9 and 16 March
    body = clinician_client.get(f"/clinic/cohorts/{cohort.pk}/").content.decode()
    for occ in (first, second):
        assert f'id="att-{occ.pk}-{late.pk}"' not in body
    assert f'id="att-{third.pk}-{late.pk}"' in body
    response = clinician_client.post(
        f"/clinic/cohorts/{cohort.pk}/attendance/",
        {"occurrence": first.pk, "patient": late.pk, "status": "present"},
        HTTP_HX_REQUEST="true",
    )
    assert "started the programme on 10 March 2026" in response.content.decode()
    assert not Attendance.objects.filter(patient=late).exists()


# --- 12: the summary follows an htmx save; the caseload on a phone ------------------------------


def test_the_summary_is_swapped_out_of_band_after_an_htmx_save(cohort, patient, clinician_client):
    first = cohort.occurrences.order_by("starts_at").first()
    response = clinician_client.post(
        f"/clinic/cohorts/{cohort.pk}/attendance/",
        {"occurrence": first.pk, "patient": patient.pk, "status": "present"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    summary = re.search(r'<section id="attendance-summary"[^>]*>(.*?)</section>', body, re.S)
    assert summary is not None and 'hx-swap-oob="true"' in summary.group(0)
    row = re.search(r"<tr><th scope=\"row\">[^<]*</th>(.*?)</tr>", summary.group(1), re.S)
    assert row is not None and re.findall(r"<td>(\d+)</td>", row.group(1)) == ["1", "0", "0"]
    # The page itself carries the same id, so htmx knows what to replace.
    page = clinician_client.get(f"/clinic/cohorts/{cohort.pk}/").content.decode()
    assert page.count('id="attendance-summary"') == 1


def test_the_caseload_puts_name_and_action_first_and_becomes_cards_on_a_phone(
    cohort, patient, clinician_client
):
    body = clinician_client.get("/clinic/").content.decode()
    row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", body, re.S)
    assert row is not None
    cells = re.findall(r"<(th|td)\b[^>]*>(.*?)</\1>", row.group(1), re.S)
    # The first cell holds the name and the actions (review, shared journal), so on a phone
    # card neither is ever below the fold of figures.
    assert "pat@example.test" in cells[0][1]
    assert f'href="/clinic/patients/{patient.pk}/journal/"' in cells[0][1]
    assert f'href="/clinic/patients/{patient.pk}/"' in cells[0][1]
    assert 'class="caseload"' in body
    from pathlib import Path

    css = Path("static/css/app.css").read_text()
    assert re.search(r"@media \(max-width: 40rem\) \{\s*\.caseload thead", css)


# --- 13: scroll regions reachable by keyboard -----------------------------------------------------


def test_every_scroll_region_of_the_clinician_pages_is_focusable_and_named(
    cohort, patient, clinician_client
):
    for url in ("/clinic/", f"/clinic/cohorts/{cohort.pk}/"):  # /clinic/patients/ redirects
        body = clinician_client.get(url).content.decode()
        regions = re.findall(r'<div class="table-wrap"[^>]*>', body)
        assert regions, url
        for tag in regions:
            assert 'tabindex="0"' in tag and 'role="region"' in tag and "aria-label" in tag, url
