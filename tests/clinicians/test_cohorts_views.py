"""Cohort pages: the facilitator runs the cohort; anyone else gets a 404."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from programs import cohorts
from programs.models import Attendance, Cohort, CohortMembership, Occurrence, Screening
from recovery.models import AuditEvent
from tests.conftest import client_for
from tests.factories import AdminFactory, ClinicFactory, PatientFactory
from tests.programs.test_cohorts import enrol, make_cohort, make_version, ny_clinic

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 12, 15, 0, tzinfo=UTC)  # Thursday 12 March, 11:00 in New York


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def url(cohort, suffix: str = "") -> str:
    return f"/clinic/cohorts/{cohort.pk}/{suffix}"


# --- who may see what -----------------------------------------------------------------


def test_facilitator_sees_the_schedule_in_the_clinic_time_zone(cohort, clinician, clinician_client):
    response = clinician_client.get(url(cohort))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Monday group" in body
    # 18:00 New York on both sides of the 8 March clock change.
    assert "Monday 2 March 2026, 18:00" in body
    assert "Monday 9 March 2026, 18:00" in body
    assert "pat@example.test" in body
    assert 'type="radio"' in body and ">Present</label>" not in body  # label wraps input
    assert "Present" in body and "Absent" in body and "Excused" in body
    assert AuditEvent.objects.filter(action="view_cohort", actor=clinician).exists()


def test_other_clinician_and_patient_get_404(cohort, other_clinician_client, patient_client):
    for client in (other_clinician_client, patient_client):
        assert client.get(url(cohort)).status_code == 404
        response = client.post(
            url(cohort, "attendance/"),
            {"occurrence": cohort.occurrences.first().pk, "patient": 1, "status": "present"},
        )
        assert response.status_code == 404
    assert not Attendance.objects.exists()
    assert patient_client.get("/clinic/cohorts/").status_code == 404


def test_clinic_admin_sees_it_and_other_clinics_admin_does_not(cohort):
    assert client_for(AdminFactory()).get(url(cohort)).status_code == 200
    foreign = AdminFactory(clinic=ClinicFactory())
    assert client_for(foreign).get(url(cohort)).status_code == 404


def test_list_shows_only_cohorts_i_facilitate(
    cohort, clinician, other_clinician, clinician_client, django_assert_max_num_queries
):
    version = cohort.version
    for i in range(4):
        extra = make_cohort(version, clinician, name=f"Extra {i}")
        cohorts.generate_occurrences(extra)
    make_cohort(version, other_clinician, name="Not mine")
    with django_assert_max_num_queries(8):
        response = clinician_client.get("/clinic/cohorts/")
    body = response.content.decode()
    assert "Monday group" in body and "Extra 3" in body
    assert "Not mine" not in body
    assert "1 of 10 places taken" in body
    assert "Monday 16 March, 18:00" in body  # next session, in New York time
    assert 'href="/clinic/cohorts/"' in body  # the nav item


def test_detail_query_count_does_not_grow_with_members(
    cohort, clinician, clinician_client, django_assert_max_num_queries
):
    enrol(PatientFactory(), clinician, cohort.version)  # one candidate: its queries are made
    clinician_client.get(url(cohort))  # warm caches (content types, sessions)
    with django_assert_max_num_queries(15) as small:
        clinician_client.get(url(cohort))
    for _ in range(6):
        p = PatientFactory()
        cohorts.join_cohort(cohort, enrol(p, clinician, cohort.version), clinician)
        for occ in cohort.occurrences.all()[:2]:
            cohorts.record_attendance(occ, p, "present", clinician)
    for _ in range(3):
        enrol(PatientFactory(), clinician, cohort.version)  # candidates to add
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = clinician_client.get(url(cohort))
    assert response.status_code == 200


# --- attendance ---------------------------------------------------------------------------


def test_htmx_cell_save_returns_the_cell_and_duplicates_do_not_duplicate(
    cohort, patient, clinician_client
):
    occ = cohort.occurrences.order_by("starts_at").first()
    data = {"occurrence": occ.pk, "patient": patient.pk, "status": "present"}
    for _ in range(2):
        response = clinician_client.post(url(cohort, "attendance/"), data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<form id="att-{occ.pk}-{patient.pk}"')
    assert "<html" not in body
    assert "Saved" in body
    assert f'id="att-{occ.pk}-{patient.pk}-present" checked' in body
    assert "HX-Request" in response["Vary"]
    assert Attendance.objects.get().status == "present"

    clinician_client.post(
        url(cohort, "attendance/"), {**data, "status": "excused"}, HTTP_HX_REQUEST="true"
    )
    assert Attendance.objects.count() == 1
    assert Attendance.objects.get().status == "excused"
    assert AuditEvent.objects.filter(action="record_attendance", patient=patient).count() == 3


def test_plain_post_fallback_redirects_with_a_message(cohort, patient, clinician_client):
    occ = cohort.occurrences.order_by("starts_at").first()
    response = clinician_client.post(
        url(cohort, "attendance/"),
        {"occurrence": occ.pk, "patient": patient.pk, "status": "absent"},
        follow=True,
    )
    assert response.redirect_chain[0][0].endswith(f"#occurrence-{occ.pk}")
    assert "Saved:" in response.content.decode()
    assert Attendance.objects.get().status == "absent"


def test_bad_attendance_input_gets_a_message_not_a_500(cohort, patient, clinician_client):
    first, _second, third = cohort.occurrences.order_by("starts_at")
    post = clinician_client.post
    # A future meeting: only "excused" ahead of time.
    response = post(
        url(cohort, "attendance/"),
        {"occurrence": third.pk, "patient": patient.pk, "status": "present"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "has not happened yet" in response.content.decode()
    # Unknown status, stranger, garbage ids.
    response = post(
        url(cohort, "attendance/"),
        {"occurrence": first.pk, "patient": patient.pk, "status": "late"},
        HTTP_HX_REQUEST="true",
    )
    assert "Choose Present, Absent or Excused" in response.content.decode()
    stranger = PatientFactory()
    assert post(
        url(cohort, "attendance/"), {"occurrence": first.pk, "patient": stranger.pk, "status": "present"}
    ).status_code == 404
    assert post(
        url(cohort, "attendance/"), {"occurrence": "x", "patient": "y", "status": "present"}
    ).status_code == 404
    assert not Attendance.objects.exists()


# --- adding members and the screening gate --------------------------------------------------


@pytest.fixture
def screened_cohort(clinician):
    ny_clinic()
    version = make_version("group-therapy", requires_screening=True, weeks=2)
    cohort = make_cohort(version, clinician, name="Thursday therapy group", capacity=2)
    cohorts.generate_occurrences(cohort)
    return cohort


def test_add_a_patient_needs_screening_first(screened_cohort, clinician, clinician_client):
    cohort = screened_cohort
    newcomer = PatientFactory(email="new@example.test")
    enrol(newcomer, clinician, cohort.version)
    page = clinician_client.get(url(cohort)).content.decode()
    assert "new@example.test" in page and "Save screening decision" in page

    response = clinician_client.post(url(cohort, "members/"), {"patient": newcomer.pk}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert "has not been screened" in body
    assert f'<option value="{newcomer.pk}" selected' in body  # the screening form is ready
    assert not CohortMembership.objects.exists()

    # Individual care first: saved, still not a member.
    response = clinician_client.post(
        url(cohort, "screening/"),
        {"patient": newcomer.pk, "outcome": "individual_first", "decided_on": "2026-03-10",
         "reason": "Severe depression at assessment."},
        follow=True,
    )
    assert "needs individual care first" in response.content.decode()
    assert not CohortMembership.objects.exists()
    response = clinician_client.post(url(cohort, "members/"), {"patient": newcomer.pk}, follow=True)
    assert "individual care first" in response.content.decode()

    # Cleared: saved and joined in one step.
    response = clinician_client.post(
        url(cohort, "screening/"),
        {"patient": newcomer.pk, "outcome": "cleared", "decided_on": "2026-03-11",
         "reason": "Mood stable after individual sessions."},
        follow=True,
    )
    assert "has joined Thursday therapy group" in response.content.decode()
    assert cohorts.is_member(cohort, newcomer)
    assert Screening.objects.filter(patient=newcomer).count() == 2


def test_screening_form_errors_are_shown(screened_cohort, clinician, clinician_client):
    cohort = screened_cohort
    newcomer = PatientFactory()
    enrol(newcomer, clinician, cohort.version)
    response = clinician_client.post(
        url(cohort, "screening/"),
        {"patient": newcomer.pk, "outcome": "cleared", "decided_on": "2026-03-20", "reason": ""},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "This field is required" in body
    assert not Screening.objects.exists()
    response = clinician_client.post(
        url(cohort, "screening/"),
        {"patient": newcomer.pk, "outcome": "cleared", "decided_on": "2026-03-20", "reason": "ok"},
    )
    assert "cannot be dated in the future" in response.content.decode()
    assert not Screening.objects.exists()


def test_add_without_screening_programme_and_duplicate_posts(cohort, clinician, clinician_client):
    newcomer = PatientFactory()
    enrol(newcomer, clinician, cohort.version)
    for _ in range(2):
        response = clinician_client.post(url(cohort, "members/"), {"patient": newcomer.pk}, follow=True)
        assert response.status_code == 200
    assert CohortMembership.objects.filter(cohort=cohort).count() == 2
    assert "is already in this cohort" in response.content.decode()


def test_a_full_cohort_says_so(screened_cohort, clinician, clinician_client):
    cohort = screened_cohort
    people = [PatientFactory() for _ in range(3)]
    for p in people:
        enrol(p, clinician, cohort.version)
        cohorts.record_screening(p, cohort.version.program, clinician, dt.date(2026, 3, 1), "cleared", "ok")
    for p in people[:2]:
        clinician_client.post(url(cohort, "members/"), {"patient": p.pk})
    body = clinician_client.get(url(cohort)).content.decode()
    assert "This cohort is full" in body
    response = clinician_client.post(url(cohort, "members/"), {"patient": people[2].pk}, follow=True)
    assert "is full (2 of 2 places taken)" in response.content.decode()
    assert cohort.memberships.count() == 2


def test_cannot_add_someone_elses_patient(cohort, other_clinician, clinician_client):
    theirs = PatientFactory()
    enrol(theirs, other_clinician, cohort.version)
    assert str(theirs.email) not in clinician_client.get(url(cohort)).content.decode()
    response = clinician_client.post(url(cohort, "members/"), {"patient": theirs.pk}, follow=True)
    assert "Choose a patient" in response.content.decode()
    assert not cohorts.is_member(cohort, theirs)


# --- schedule changes ----------------------------------------------------------------------


def test_move_and_cancel_a_session(cohort, clinician_client):
    third = cohort.occurrences.order_by("starts_at").last()
    response = clinician_client.post(
        url(cohort, f"sessions/{third.pk}/move/"),
        {"date": "2026-03-17", "time": "17:30", "location": "Hall B"},
        follow=True,
    )
    assert "moved to Tuesday 17 March 2026, 17:30" in response.content.decode()
    third.refresh_from_db()
    assert third.starts_at == dt.datetime(2026, 3, 17, 21, 30, tzinfo=UTC)
    assert third.location == "Hall B"

    clinician_client.post(url(cohort, f"sessions/{third.pk}/cancel/"), {"action": "cancel"})
    third.refresh_from_db()
    assert third.cancelled
    body = clinician_client.get(url(cohort)).content.decode()
    assert "Restore session" in body
    clinician_client.post(url(cohort, f"sessions/{third.pk}/cancel/"), {"action": "restore"})
    third.refresh_from_db()
    assert not third.cancelled


def test_bad_move_input_shows_the_form_again(cohort, clinician_client):
    first = cohort.occurrences.order_by("starts_at").first()
    before = first.starts_at
    response = clinician_client.post(
        url(cohort, f"sessions/{first.pk}/move/"), {"date": "someday", "time": "", "location": ""}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "was not moved" in body and "Enter a valid date" in body
    first.refresh_from_db()
    assert first.starts_at == before


def test_other_clinician_cannot_move(cohort, other_clinician_client):
    first = cohort.occurrences.first()
    response = other_clinician_client.post(
        url(cohort, f"sessions/{first.pk}/move/"), {"date": "2026-03-20", "time": "10:00"}
    )
    assert response.status_code == 404
    assert other_clinician_client.post(url(cohort, f"sessions/{first.pk}/cancel/")).status_code == 404
    first.refresh_from_db()
    assert not first.cancelled


# --- creating a cohort ---------------------------------------------------------------------


def test_create_a_cohort(clinician, clinician_client):
    ny_clinic()
    version = make_version(weeks=3, retreat_week=2)
    page = clinician_client.get("/clinic/cohorts/new/").content.decode()
    assert "Create cohort" in page and version.display_title in page
    data = {
        "version": version.pk, "name": "Spring group", "start_date": "2026-04-06",
        "meeting_time": "18:30", "capacity": "8", "location": "Room 1", "video_link": "",
    }
    response = clinician_client.post("/clinic/cohorts/new/", data, follow=True)
    body = response.content.decode()
    assert "created with 4 group sessions" in body
    assert "Monday 6 April 2026, 18:30" in body
    again = clinician_client.post("/clinic/cohorts/new/", data, follow=True)  # a double-click
    assert "already exists" in again.content.decode()
    assert again.redirect_chain == response.redirect_chain
    cohort = Cohort.objects.get(name="Spring group")
    assert list(cohort.facilitators.all()) == [clinician]
    assert Occurrence.objects.filter(cohort=cohort).count() == 4


def test_create_form_errors(clinician, clinician_client):
    make_version()
    response = clinician_client.post(
        "/clinic/cohorts/new/", {"name": "", "capacity": "0", "start_date": "nope"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "This field is required" in body and "between 1 and 100 places" in body
    assert not Cohort.objects.exists()
