"""The caseload page kept in the cache (recovery.page_cache, clinicians.caseload_stamp): what a
clinician sees is never older than the data, a kept copy is never another reader's or another
address', every request is audited with the patients listed, and a kept copy costs the same
few queries at 10 and at 1,000 patients."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinicians import visits
from clinicians.models import CareTeamMember
from journaling.models import CheckIn
from recovery.models import AuditEvent
from tests.conftest import client_for
from tests.factories import published_version

from .test_dashboard import NOW, alert_for, bulk_patients, days_ago, make_patient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def emails(body: str) -> set[str]:
    return set(re.findall(r"[pb]\d{3,4}@example.test", body))


def get(client, path: str = "/clinic/", **headers) -> tuple[str, int]:
    """The page's HTML and the queries it took."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, headers=headers)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def test_a_second_visit_is_served_from_the_cache_and_audited_with_its_patients(clinician):
    version = published_version()
    patients = [make_patient(i, clinician, version)[0] for i in range(3)]
    client = client_for(clinician)
    first, cold = get(client)
    second, warm = get(client)
    assert warm < cold and warm <= 8, (cold, warm)
    assert emails(second) == emails(first) == {p.email for p in patients}
    events = list(AuditEvent.objects.filter(action="view_caseload").order_by("pk"))
    assert len(events) == 2  # one per request, kept copy or not
    for event in events:
        assert sorted(event.detail["patients"]) == sorted(p.pk for p in patients)
        assert event.detail["count"] == 3
        assert event.actor_id == clinician.pk


def test_a_check_in_shows_on_the_next_visit(clinician):
    patient, _ = make_patient(1, clinician, published_version())
    client = client_for(clinician)
    assert "Check-in streak: 1 day" in get(client)[0]  # yesterday's
    CheckIn.objects.create(patient=patient, local_date=days_ago(0), pain=2)
    assert "Check-in streak: 2 days" in get(client)[0]


def test_a_safety_alert_shows_on_the_next_visit(clinician):
    patient, _ = make_patient(1, clinician, published_version())
    client = client_for(clinician)
    assert "Safety alert open:" not in get(client)[0]
    alert = alert_for(patient)
    assert "Safety alert open:" in get(client)[0]
    alert.acknowledged_at = NOW
    alert.save()
    assert "Safety alert open:" not in get(client)[0]


def test_patients_joining_and_leaving_the_caseload_show_on_the_next_visit(clinician):
    version = published_version()
    first, _ = make_patient(1, clinician, version)
    client = client_for(clinician)
    assert emails(get(client)[0]) == {first.email}
    second, _ = make_patient(2, clinician, version)
    assert emails(get(client)[0]) == {first.email, second.email}
    CareTeamMember.objects.filter(patient=first, clinician=clinician).delete()
    assert emails(get(client)[0]) == {second.email}


def test_a_scheduled_visit_shows_on_the_next_visit(clinician):
    patient, _ = make_patient(1, clinician, published_version())
    client = client_for(clinician)
    assert "Upcoming follow-up visits" not in get(client)[0]
    monday = dt.datetime(2026, 3, 16, 10, 0, tzinfo=visits.clinic_zone(clinician))
    visits.schedule(patient, clinician, monday)
    body = get(client)[0]
    assert "Upcoming follow-up visits" in body and "Mon 16 Mar, 10:00" in body


def test_a_new_name_or_address_shows_on_the_next_visit(clinician):
    patient, _ = make_patient(1, clinician, published_version())
    client = client_for(clinician)
    assert "Patient 001" in get(client)[0]
    patient.patient_profile.display_name = "Renamed Person"
    patient.patient_profile.save(update_fields=["display_name"])
    assert "Renamed Person" in get(client)[0]
    patient.email = "p901@example.test"
    patient.save(update_fields=["email"])
    assert "p901@example.test" in get(client)[0]


def test_a_new_day_renders_afresh(clinician):
    """Just before and after midnight in New York (the patients' zone), 40 seconds apart:
    within the page's ttl, so only the time in the key renders it afresh."""
    make_patient(1, clinician, published_version())
    CheckIn.objects.create(patient=make_patient(2, clinician, published_version("b"))[0],
                           local_date=days_ago(0), pain=3)
    evening = dt.datetime(2026, 3, 13, 3, 59, 30, tzinfo=dt.UTC)  # 23:59:30 on the 12th (EDT)
    with time_machine.travel(evening, tick=False):
        client = client_for(clinician)
        body = get(client)[0]
        assert body.count("Check-in streak: 1 day") == 1 and "Check-in streak: 2 days" in body
    with time_machine.travel(evening + dt.timedelta(seconds=40), tick=False):
        # The 13th: patient 1's streak (last check-in on the 11th) is broken.
        body = get(client)[0]
        assert "Check-in streak: 0 days" in body


def test_two_clinicians_never_see_each_others_copy(clinician, other_clinician):
    version = published_version()
    mine, _ = make_patient(1, clinician, version)
    theirs, _ = make_patient(2, other_clinician, version)
    # The same patients too: a copy is the reader's own even when the caseloads match.
    both = make_patient(3, clinician, version)[0]
    CareTeamMember.objects.create(patient=both, clinician=other_clinician)
    me, them = client_for(clinician), client_for(other_clinician)
    for _ in range(2):
        assert emails(get(me)[0]) == {mine.email, both.email}
        assert emails(get(them)[0]) == {theirs.email, both.email}
    event = AuditEvent.objects.filter(action="view_caseload").order_by("-pk").first()
    assert event is not None and event.actor_id == other_clinician.pk
    assert sorted(event.detail["patients"]) == sorted([theirs.pk, both.pk])


def test_filters_orders_pages_and_htmx_each_have_their_own_copy(clinician):
    version = published_version()
    for i in range(27):
        make_patient(i, clinician, version)
    client = client_for(clinician)
    for _ in range(2):  # the second time, every one of them from the cache
        everyone = get(client)[0]
        assert len(emails(everyone)) == 25 and "Page 1 of 2" in everyone
        assert len(emails(get(client, "/clinic/?page=2")[0])) == 2
        assert emails(get(client, "/clinic/?q=patient+007")[0]) == {"p007@example.test"}
        by_name = re.findall(r"p\d{3}@example.test", get(client, "/clinic/?sort=name")[0])
        assert by_name[0] == "p000@example.test"
        partial = get(client, "/clinic/", HX_Request="true", HX_Target="caseload-results")[0]
        assert "<html" not in partial and "p000@example.test" in partial
        assert "<html" in get(client)[0]
    pages = {
        tuple(e.detail["patients"])
        for e in AuditEvent.objects.filter(action="view_caseload", path__contains="page=2")
    }
    assert len(pages) == 1 and len(next(iter(pages))) == 2


def test_a_kept_copy_costs_the_same_queries_at_10_and_1000_patients(clinician):
    version = published_version()
    client = client_for(clinician)

    def warm() -> int:
        get(client)
        return get(client)[1]

    bulk_patients(clinician, version, 0, 10)
    at_10 = warm()
    bulk_patients(clinician, version, 10, 1000)
    at_1000 = warm()
    assert at_10 == at_1000, (at_10, at_1000)
    # The session, the user, the caseload's stamp, the audit row (and what force_login's
    # test session adds): no figure of any patient is read again.
    assert at_1000 <= 8


def test_the_stamp_fits_in_64_bits_and_follows_every_patient(clinician):
    """SQLite raises on an overflowing SUM: a thousand patients with the largest stamps sum
    safely, and a change in any bit of one stamp changes the key."""
    from clinicians.caseload_stamp import patients_stamp
    from recovery.models import User

    bulk_patients(clinician, published_version(), 0, 1000)
    mine = User.objects.filter(email__startswith="b")
    mine.update(data_stamp=2**62 - 1)
    before = patients_stamp(clinician)
    assert before[0] == 1000
    one = mine.order_by("pk").first()
    for bit in (0, 30, 31, 61):
        User.objects.filter(pk=one.pk).update(data_stamp=(2**62 - 1) ^ (1 << bit))
        assert patients_stamp(clinician) != before, bit


@pytest.fixture
def built(monkeypatch) -> list[list[int]]:
    """The patients whose rows each request built (the others were kept ones)."""
    from clinicians import caseload

    calls: list[list[int]] = []
    rows_for = caseload.rows_for

    def counting(listed, now, zone):
        calls.append(sorted(p.pk for p in listed))
        return rows_for(listed, now, zone)

    monkeypatch.setattr(caseload, "rows_for", counting)
    return calls


def test_rows_are_kept_per_patient_and_rebuilt_only_for_who_changed(clinician, built):
    """A page rendered afresh because one patient checked in builds that patient's row only;
    the others are the kept ones, and the changed row shows the check-in."""
    version = published_version()
    patients = [make_patient(i, clinician, version)[0] for i in range(4)]
    client = client_for(clinician)
    get(client)
    CheckIn.objects.create(patient=patients[2], local_date=days_ago(0), pain=2)
    body = get(client)[0]
    assert built == [sorted(p.pk for p in patients), [patients[2].pk]]
    assert body.count("Check-in streak: 1 day") == 3 and body.count("Check-in streak: 2 days") == 1


def test_a_new_release_renders_every_row_afresh(clinician, built, monkeypatch):
    """Rows kept by the last deployment are never shown with this one's templates."""
    from recovery import page_cache

    version = published_version()
    patients = [make_patient(i, clinician, version)[0] for i in range(3)]
    client = client_for(clinician)
    get(client)
    monkeypatch.setattr(page_cache, "release", lambda: "the next deployment")
    get(client)
    everyone = sorted(p.pk for p in patients)
    assert built == [everyone, everyone]


def test_a_kept_row_is_never_shown_in_another_language(clinician):
    make_patient(1, clinician, published_version())
    client = client_for(clinician)
    assert "Check-in streak: 1 day" in get(client)[0]
    clinician.language = "es"
    clinician.save(update_fields=["language"])
    body = get(client)[0]
    assert "Racha de registros diarios: 1 día" in body and "Check-in streak" not in body


def test_an_admins_page_follows_who_the_clinic_accepts(clinician):
    """An admin's caseload is the clinic less those waiting to join (clinicians.access): a
    join request accepted shows on the admin's next visit."""
    from clinicians.models import JoinRequest
    from tests.factories import AdminFactory

    admin = AdminFactory(email="admin@example.test", clinic=clinician.clinic)
    waiting, _ = make_patient(1, clinician, published_version())
    request = JoinRequest.objects.create(patient=waiting, clinic=clinician.clinic)
    client = client_for(admin)
    assert waiting.email not in get(client)[0]
    request.accepted_at = NOW
    request.save()
    assert waiting.email in get(client)[0]
