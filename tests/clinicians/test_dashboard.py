"""The caseload page (/clinic/): who is on it, the figures per patient, flags, filters, order,
pages, and a query count that does not grow with the caseload."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinicians import visits
from clinicians.caseload import Filters, caseload, streak
from journaling.models import CheckIn, ExerciseCompletion, JournalEntry
from outcomes.definitions import import_directory
from outcomes.models import QuestionnaireResponse, SafetyAlert
from tests.conftest import client_for
from tests.factories import PatientFactory, enrol, published_version

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC)  # 10:00 in New York
TODAY = dt.date(2026, 3, 12)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def alert_for(patient) -> SafetyAlert:
    versions = {r.version.code: r.version for _, r in import_directory()}
    response = QuestionnaireResponse.objects.create(
        patient=patient, version=versions["PHQ-9"], local_date=TODAY, answers=[1] * 8 + [2],
        status="submitted", submitted_at=timezone.now(), safety=True, valid=True, score=10,
        band="Moderate",
    )
    return SafetyAlert.objects.create(patient=patient, response=response, reason="item 9: 2")


def make_patient(i: int, clinician, version, *, start_days_ago: int = 10, pain=(5, 5)):
    p = PatientFactory(email=f"p{i:03}@example.test", time_zone="America/New_York")
    p.patient_profile.display_name = f"Patient {i:03}"
    p.patient_profile.save()
    e = enrol(p, clinician, version, start=days_ago(start_days_ago))
    CheckIn.objects.create(patient=p, local_date=days_ago(start_days_ago), pain=pain[0])
    CheckIn.objects.create(patient=p, local_date=days_ago(1), pain=pain[1])
    return p, e


def test_the_caseload_lists_only_my_patients_with_their_figures(clinician, other_clinician):
    version = published_version()
    mine, enrolment = make_patient(1, clinician, version, start_days_ago=5, pain=(4, 6))
    CheckIn.objects.create(patient=mine, local_date=TODAY, pain=7)
    ExerciseCompletion.objects.create(
        patient=mine, enrolment=enrolment, exercise=version.exercises.get(), local_date=TODAY
    )
    make_patient(2, other_clinician, version)
    body = client_for(clinician).get("/clinic/").content.decode()
    assert "p001@example.test" in body and "p002@example.test" not in body
    assert "Week 1, day 6 of the" in body
    assert "Last 7 days: 1 of 6 exercises" in body  # the daily exercise, due since day 1
    assert "Check-in streak: 2 days" in body  # yesterday and today
    # Baseline: the programme's first pain score (4); the last 7 days averaged (4 + 6 + 7) / 3.
    assert "7-day mean 5.7, +1.7 from baseline 4" in body
    assert '<svg class="sparkline"' in body
    assert "Pain rising:" in body  # +42%


def test_open_safety_alerts_always_come_first(clinician):
    version = published_version()
    for i in range(3):
        make_patient(i, clinician, version)
    alerted = make_patient(9, clinician, version)[0]  # last by name
    alert_for(alerted)
    for sort in ("attention", "name", "activity", "follow_up", "pain"):
        body = client_for(clinician).get(f"/clinic/?sort={sort}").content.decode()
        names = re.findall(r"p\d{3}@example.test", body)
        assert names[0] == "p009@example.test", sort
    assert "Safety alert open:" in body and "PHQ-9 10 · Moderate" in body


def test_filters_search_and_pages(clinician):
    version = published_version()
    other = published_version("q")
    for i in range(27):
        make_patient(i, clinician, version)
    quiet, _ = make_patient(30, clinician, other, start_days_ago=10)
    CheckIn.objects.filter(patient=quiet).delete()
    client = client_for(clinician)
    first = client.get("/clinic/").content.decode()
    assert len(set(re.findall(r"p\d{3}@example.test", first))) == 25
    assert "Page 1 of 2" in first
    second = client.get("/clinic/?page=2").content.decode()
    assert len(set(re.findall(r"p\d{3}@example.test", second))) == 3
    found = client.get("/clinic/?q=patient+030").content.decode()
    assert set(re.findall(r"p\d{3}@example.test", found)) == {"p030@example.test"}
    by_programme = client.get(f"/clinic/?program={other.program_id}").content.decode()
    assert set(re.findall(r"p\d{3}@example.test", by_programme)) == {"p030@example.test"}
    idle = client.get("/clinic/?flag=inactive").content.decode()
    assert set(re.findall(r"p\d{3}@example.test", idle)) == {"p030@example.test"}
    assert "Nothing logged since the programme started" in idle
    # Nonsense in the address is ignored, never an error.
    assert client.get("/clinic/?page=x&program=abc&flag=zzz&sort=drop").status_code == 200


def test_htmx_gets_only_the_results(clinician):
    make_patient(1, clinician, published_version())
    response = client_for(clinician).get(
        "/clinic/?q=001", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="caseload-results"
    )
    body = response.content.decode()
    assert "p001@example.test" in body and "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_upcoming_visits_are_on_the_dashboard(clinician):
    patient, _ = make_patient(1, clinician, published_version())
    zone = visits.clinic_zone(clinician)
    visits.schedule(patient, clinician, dt.datetime(2026, 3, 16, 10, 0, tzinfo=zone), "phone")
    body = client_for(clinician).get("/clinic/").content.decode()
    assert "Upcoming follow-up visits" in body
    assert "Mon 16 Mar, 10:00" in body
    assert "Follow-up due soon:" in body


def test_streak_counts_back_from_today_or_yesterday():
    assert streak({days_ago(0), days_ago(1), days_ago(2)}, TODAY) == 3
    assert streak({days_ago(1), days_ago(2)}, TODAY) == 2
    assert streak({days_ago(2)}, TODAY) == 0
    assert streak(set(), TODAY) == 0


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/clinic/").status_code == 200
    return len(ctx.captured_queries)


def test_query_count_is_the_same_at_10_and_200_patients(clinician):
    version = published_version()
    client = client_for(clinician)

    def add(start: int, stop: int) -> None:
        for i in range(start, stop):
            p, e = make_patient(i, clinician, version, pain=(4, 6 + i % 3))
            JournalEntry.objects.create(
                patient=p, local_date=days_ago(1), body="x", visibility="care_team", status="saved"
            )
            ExerciseCompletion.objects.create(
                patient=p, enrolment=e, exercise=version.exercises.get(), local_date=days_ago(1)
            )
            if i % 7 == 0:
                alert_for(p)
            if i % 5 == 0:
                visits.schedule(p, clinician, NOW + dt.timedelta(days=2 + i % 3))

    add(0, 10)
    at_10 = _queries(client)
    add(10, 200)
    at_200 = _queries(client)
    assert at_10 == at_200, (at_10, at_200)
    assert at_200 <= 30


def bulk_patients(clinician, version, start: int, stop: int) -> None:
    """Patients `start`..`stop` of `clinician`'s caseload, written with bulk_create (a thousand
    through the factories would take minutes): enrolled, two pain scores, every 7th with an
    open safety alert, every 5th with a visit in the coming days."""
    from clinicians.models import CareTeamMember
    from programs.models import Enrolment
    from recovery.models import PatientProfile, User

    users = User.objects.bulk_create(
        User(email=f"b{i:04}@example.test", role=User.Role.PATIENT, clinic=clinician.clinic)
        for i in range(start, stop)
    )
    PatientProfile.objects.bulk_create(
        PatientProfile(user=u, display_name=f"Bulk {u.email[:5]}", time_zone="America/New_York")
        for u in users
    )
    CareTeamMember.objects.bulk_create(
        CareTeamMember(patient=u, clinician=clinician, role="primary") for u in users
    )
    Enrolment.objects.bulk_create(
        Enrolment(patient=u, clinician=clinician, version=version, program_id=version.program_id,
                  start_date=days_ago(10 + n % 20))
        for n, u in enumerate(users, start)
    )
    CheckIn.objects.bulk_create(
        CheckIn(patient=u, local_date=days_ago(back), pain=(n + back) % 11)
        for n, u in enumerate(users, start) for back in (1, 12)
    )
    for n, u in enumerate(users, start):
        if n % 7 == 0:
            alert_for(u)
        if n % 5 == 0:
            visits.schedule(u, clinician, NOW + dt.timedelta(days=2 + n % 3))


PATHS = ("/clinic/", "/clinic/?sort=pain", "/clinic/?flag=inactive", "/clinic/?sort=activity&page=3")


def test_query_count_is_the_same_at_10_and_1000_patients_and_the_page_is_cut_in_sql(clinician):
    version = published_version()
    client = client_for(clinician)

    def counts() -> list[int]:
        found = []
        for path in PATHS:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(path).status_code == 200
            found.append(len(ctx.captured_queries))
        return found

    bulk_patients(clinician, version, 0, 10)
    at_10 = counts()
    bulk_patients(clinician, version, 10, 1000)
    at_1000 = counts()
    assert at_10 == at_1000, (at_10, at_1000)
    # The page holds 25 of 1,000, alerted patients first (every 7th: 143), in the order asked.
    body = client.get("/clinic/?sort=name").content.decode()
    assert "Page 1 of 40" in body
    shown = re.findall(r"b\d{4}@example.test", body)
    assert list(dict.fromkeys(shown)) == [f"b{i:04}@example.test" for i in range(0, 175, 7)]
    last = client.get("/clinic/?sort=name&page=40").content.decode()
    assert re.findall(r"b\d{4}@example.test", last)[-1] == "b0999@example.test"


def test_sql_flags_agree_with_the_rules_at_each_threshold(clinician):
    """The SQL filter (clinicians.flags.sql_conditions) finds the same patients as the rules
    that write the rows' reasons, just below, at and above the pain and inactivity thresholds."""
    version = published_version()
    cases = {
        # pain: baseline 5, so 30% is 6.5; the last 7 days' mean below, at and above it.
        "below": [5, 6, 7, 6, 7, 6, 7, 6],  # 45 / 7 = 6.43 -> 6.4
        "at": [5, 6, 7],  # 6.5
        "above": [5, 7],
    }
    for i, pains in enumerate(cases.values()):
        p, e = make_patient(100 + i, clinician, version, start_days_ago=20, pain=(pains[0], 0))
        CheckIn.objects.filter(patient=p, local_date=days_ago(1)).delete()
        for back, pain in enumerate(pains[1:]):
            CheckIn.objects.create(patient=p, local_date=days_ago(back), pain=pain)
    for idle in (2, 3, 4):
        p, e = make_patient(200 + idle, clinician, version, start_days_ago=20)
        CheckIn.objects.filter(patient=p).delete()
        CheckIn.objects.create(patient=p, local_date=days_ago(idle), pain=5)
    for code in ("pain", "inactive"):
        page = caseload(clinician, Filters.from_query({"flag": code}), NOW)
        found = {r.patient.email for r in page.rows}
        everyone = caseload(clinician, Filters(), NOW).rows
        by_rules = {r.patient.email for r in everyone if any(f.code == code for f in r.flags)}
        assert found == by_rules, code
    pain = {r.patient.email for r in caseload(clinician, Filters(flag="pain"), NOW).rows}
    assert pain == {"p101@example.test", "p102@example.test"}
    idle = {r.patient.email for r in caseload(clinician, Filters(flag="inactive"), NOW).rows}
    assert idle == {"p203@example.test", "p204@example.test"}


def test_caseload_builder_directly(clinician):
    version = published_version()
    make_patient(1, clinician, version)
    page = caseload(clinician, Filters.from_query({"flag": "pain"}), NOW)
    assert page.rows == [] and page.total == 1


def test_the_questionnaire_filter_runs_the_schedule(clinician):
    """The one flag without an SQL form: the filter asks outcomes' schedule, and finds the
    patient whose baseline PHQ-9 is 3 days late (the threshold), not the one 2 days late."""
    from tests.outcomes.helpers import scheduled_version

    import_directory()
    # Both start today; the baseline opened 3 and 2 days before day 1.
    for i, window in ((1, 3), (2, 2)):
        version = scheduled_version(
            [{"instrument": "PHQ-9", "when": "baseline", "window_days": window}], slug=f"s{i}"
        )
        patient, _ = make_patient(i, clinician, version, start_days_ago=0)
        if i == 1:
            late = patient
    page = caseload(clinician, Filters.from_query({"flag": "questionnaire"}), NOW)
    assert [r.patient for r in page.rows] == [late]
    assert any(f.code == "questionnaire" for f in page.rows[0].flags)
