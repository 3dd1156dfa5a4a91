"""Pages served from the cache (recovery.page_cache) are never older than the data they show.

Today, History and the journal are kept rendered under a key holding the reader's data stamp
(recovery.freshness): each test changes something the page shows, the way the product does
(a view, a service, the admin's ORM save), and asks for the page again.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext

from journaling import checkins
from journaling.models import JournalEntry
from programs.models import Occurrence
from recovery import freshness, page_cache
from recovery.models import User
from tests.builders import (
    WEDNESDAY,
    enrol,
    exercise,
    make_cohort,
    make_version,
)
from tests.conftest import client_for
from tests.factories import PatientFactory


@pytest.fixture
def enrolment(patient, clinician):
    return enrol(patient, clinician, make_version(sessions=[{"title": "Group one", "week": 1, "day": 4}]))


def _queries(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.django_db
def test_today_is_read_back_until_the_patient_writes(patient, patient_client, enrolment, at_wednesday):
    cold, first = _queries(patient_client, "/today/")
    warm, again = _queries(patient_client, "/today/")
    assert warm == 2 < cold  # the session and the user: nothing else read
    assert "You checked in today" not in again
    # A check-in through the service (as the offline replay saves it), then the page again.
    checkins.save_checkin(patient, WEDNESDAY, 3, 4, 5, "After the walk")
    after, body = _queries(patient_client, "/today/")
    assert after > warm  # rendered afresh
    assert "You checked in today" in body
    # Marking an exercise done through the page: the next Today shows it done.
    ex = exercise(enrolment.version)
    assert f'action="/today/exercises/{ex.pk}/done/"' in body
    patient_client.post(f"/today/exercises/{ex.pk}/done/")
    body = patient_client.get("/today/").content.decode()
    assert f'action="/today/exercises/{ex.pk}/undo/"' in body


@pytest.mark.django_db
def test_a_staff_edit_of_a_shared_meeting_reaches_every_members_today(
    patient, clinician, enrolment, at_wednesday
):
    other = PatientFactory()
    cohort = make_cohort(enrolment.version, enrolment)
    _cohort_member = enrol(other, clinician, enrolment.version)
    cohort.memberships.create(enrolment=_cohort_member)
    session = enrolment.version.sessions.get()
    meeting = Occurrence.objects.create(
        cohort=cohort, session=session, duration_minutes=90,
        starts_at=dt.datetime(2026, 3, 12, 17, 0, tzinfo=dt.UTC),
    )
    clients = [client_for(patient), client_for(other)]
    for client in clients:
        assert "Room 4" in client.get("/today/").content.decode()
    meeting.location = "Hall B"  # the clinic moves the meeting (admin or cohort page)
    meeting.save()
    for client in clients:
        assert "Hall B" in client.get("/today/").content.decode()


@pytest.mark.django_db
def test_each_reader_their_own_page(patient, enrolment, at_wednesday):
    checkins.save_checkin(patient, WEDNESDAY, 3, 4, 5, "Only mine")
    other = PatientFactory()
    mine = client_for(patient).get("/journal/").content.decode()
    theirs = client_for(other).get("/history/").content.decode()
    assert client_for(other).get("/today/").status_code == 200
    assert "Only mine" not in theirs
    # The same person in another language gets another rendering.
    patient.language = "es"
    patient.save()
    spanish = client_for(patient).get("/journal/").content.decode()
    assert spanish != mine and 'lang="es"' in spanish


@pytest.mark.django_db
def test_a_cached_page_carries_the_readers_own_working_csrf_token(patient, enrolment, at_wednesday):
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient)
    client.get("/today/")  # rendered and kept
    body = client.get("/today/").content.decode()  # read back
    assert page_cache.CSRF_MARK not in body
    token = body.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = client.post("/today/check-in/", {"pain": "2", "csrfmiddlewaretoken": token})
    assert response.status_code == 302  # accepted, not 403
    # The confirmation shows once, on the next page (never kept in a cached copy)...
    assert "Check-in saved" in client.get("/today/").content.decode()
    assert "Check-in saved" not in client.get("/today/").content.decode()


@pytest.mark.django_db
def test_what_the_cache_holds_is_encrypted(
    patient, patient_client, enrolment, at_wednesday, monkeypatch
):
    JournalEntry.objects.create(
        patient=patient, local_date=WEDNESDAY, body="secret garden words", status="saved"
    )
    kept: list[str] = []
    real_set = cache.set

    def recording_set(key, value, *args, **kwargs):
        kept.append(value)
        return real_set(key, value, *args, **kwargs)

    monkeypatch.setattr(page_cache.cache, "set", recording_set)
    assert "secret garden words" in patient_client.get("/journal/").content.decode()
    assert kept and not any("secret garden" in str(value) for value in kept)
    assert "secret garden words" in patient_client.get("/journal/").content.decode()


@pytest.mark.django_db
def test_an_update_that_sends_no_signal_still_changes_the_page(patient, patient_client, at_wednesday):
    entry = JournalEntry.objects.create(
        patient=patient, local_date=WEDNESDAY, body="first words", status="saved"
    )
    assert "first words" in patient_client.get("/journal/").content.decode()
    JournalEntry.objects.filter(pk=entry.pk).update(body="second words")
    freshness.touch(patient.pk)  # what every queryset update() of tracked data does
    assert "second words" in patient_client.get("/journal/").content.decode()


# Models that name a patient but are never shown on a cached page, and why.
NOT_ON_CACHED_PAGES = {
    "recovery.AuditEvent": "the trail of staff reads: not shown to the patient",
    "recovery.ExportJob": "My data's export status is not cached",
    "recovery.ReminderLedger": "delivery bookkeeping",
    "recovery.Notification": "the bell loads by htmx, uncached",
}


def _names_a_person(model: type[models.Model]) -> bool:
    return any(
        isinstance(f, models.ForeignKey | models.OneToOneField)
        and f.related_model is User
        and f.name in ("patient", "recipient")
        for f in model._meta.get_fields()
    )


def test_every_model_about_a_patient_is_tracked_or_explained():
    tracked = {m._meta.label for m in freshness.tracked()}
    untracked = [
        m._meta.label
        for m in apps.get_models()
        if _names_a_person(m) and m._meta.label not in tracked
        and m._meta.label not in NOT_ON_CACHED_PAGES
    ]
    assert not untracked, f"tracked by recovery.freshness or listed here with a reason: {untracked}"


def _checked(body: str, name: str) -> list[str]:
    import re

    return re.findall(rf'name="{name}" id="[^"]+" value="(\d+)" checked', body)


@pytest.mark.django_db
def test_the_check_in_card_always_shows_what_was_just_saved(patient, enrolment, at_wednesday):
    client = client_for(patient)
    hx = {"HX-Request": "true"}
    client.post("/today/check-in/", {"pain": "3"}, headers=hx)  # the day's first
    for pain in ("7", "3", "7"):  # (each scale's buttons are rendered once per choice)
        body = client.post("/today/check-in/", {"pain": pain}, headers=hx).content.decode()
        assert _checked(body, "pain") == [pain]
        assert "Saved. Thank you for checking in." in body
        assert page_cache.CSRF_MARK not in body
    assert patient.checkins.get().pain == 7


@pytest.mark.django_db
def test_after_a_real_sign_in_a_kept_page_costs_two_queries(patient, enrolment, at_wednesday):
    from tests.factories import PASSWORD
    from tests.recovery.conftest import sign_in

    client = Client()
    assert sign_in(client, patient.email, PASSWORD).status_code == 302
    assert "Successfully signed in" in client.get("/today/").content.decode()  # not kept
    client.get("/today/")  # rendered and kept
    # The session remembers the backend that signed it in (allauth's, through ours): it loads
    # the person with their clinic and profile, which every page shows, in the one query.
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/today/").content.decode()
    queries = len(ctx.captured_queries)
    assert queries == 2, [q["sql"][:90] for q in ctx.captured_queries]
    assert patient.clinic.name in body or "Today" in body
