"""The patient review (/clinic/patients/<id>/): what a clinician sees before a follow-up, and
what they never see (private writing)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from clinicians import review, visits
from journaling.models import CheckIn, JournalEntry
from recovery.models import AuditEvent
from tests.conftest import client_for
from tests.factories import enrol, published_version

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 12)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def connection(patient, day, emotions, happening, intensity, visibility="care_team"):
    return JournalEntry.objects.create(
        patient=patient, local_date=day, kind="symptom_emotion", visibility=visibility,
        status="saved", data={"emotions": emotions, "happening": happening, "intensity": intensity},
    )


@pytest.fixture
def world(patient, clinician):
    enrol(patient, clinician, published_version(), start=dt.date(2026, 3, 2))
    for i in range(8):
        CheckIn.objects.create(
            patient=patient, local_date=dt.date(2026, 3, 3 + i), pain=6 - i % 3, stress=4, mood=5
        )
    connection(patient, dt.date(2026, 3, 5), ["anger", "guilt"], "Call with my boss", 7)
    connection(patient, dt.date(2026, 3, 8), ["anger"], "call with my  boss", 8)
    connection(patient, dt.date(2026, 3, 9), ["sadness"], "Visiting my father", 5)
    connection(patient, dt.date(2026, 3, 10), ["shame"], "SECRET private flare", 9, "private")
    JournalEntry.objects.create(
        patient=patient, local_date=dt.date(2026, 3, 10), title="Hidden diary",
        body="never for staff", visibility="private", status="saved",
    )
    return patient


def test_the_review_shows_trends_shared_work_and_never_private_writing(world, clinician):
    response = client_for(clinician).get(f"/clinic/patients/{world.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Pain, stress and mood since" in body and "Weekly adherence" in body
    assert "Hidden diary" not in body and "never for staff" not in body
    assert "SECRET" not in body and "Shame" not in body
    assert "entries kept private are not read by staff" in body
    # The programme (its actions) and the care team are managed from the same page.
    assert 'id="programme-h">Programme</h2>' in body and 'id="care-team-h">Care team</h2>' in body
    assert "Pause" in body and clinician.display_name in body
    assert AuditEvent.objects.filter(actor=clinician, patient=world, action="view_patient_review").count() == 1
    # Every SVG id on the page is unique (two pygal charts side by side).
    ids = re.findall(r'<svg[^>]* id="([^"]+)"', body)
    assert len(ids) == 2 and len(set(ids)) == 2


def test_symptom_emotion_summary_most_frequent_first(world, clinician):
    emotions, situations, n = review.symptom_emotions(world, clinician)
    assert n == 3  # shared entries only
    assert [(e.label, e.count, e.mean_intensity) for e in emotions] == [
        ("Anger", 2, 7.5), ("Guilt", 1, 7.0), ("Sadness", 1, 5.0),
    ]
    assert situations[0].text.lower() == "call with my boss"  # the same words, counted once
    assert situations[0].count == 2
    assert situations[0].emotions == ["Anger", "Guilt"]


def test_the_timeline_starts_at_the_last_visit_held(world, clinician):
    zone = visits.clinic_zone(clinician)
    held, _ = visits.schedule(world, clinician, dt.datetime(2026, 3, 8, 10, 0, tzinfo=zone))
    visits.record(held, status="done", summary="Doing better", plan="Keep writing")
    page = client_for(clinician).get(f"/clinic/patients/{world.pk}/").content.decode()
    assert "Since the last visit (8 March)" in page
    assert "Doing better" in page and "Keep writing" in page
    days = review.timeline(world, clinician, dt.date(2026, 3, 8), TODAY)
    assert [d.local_date for d in days][0] == dt.date(2026, 3, 10)
    assert min(d.local_date for d in days) == dt.date(2026, 3, 8)
    words = " ".join(w for d in days for _, w in d.events)
    assert "Shared symptom-emotion connection" in words
    assert "Hidden diary" not in words


def test_the_intake_panels_are_included_only_when_provided(world, clinician):
    body = client_for(clinician).get(f"/clinic/patients/{world.pk}/").content.decode()
    assert "_programme.html" not in body  # no error, no placeholder until h/intake lands


def test_the_review_counts_group_attendance():
    """A patient with recorded group sessions (the demo patient has them) gets a page, not a
    500, with the counts in words."""
    from programs import cohorts
    from tests.clinicians.test_access import World

    w = World()
    membership = cohorts.join_cohort(w.cohort, w.enrolment, w.facilitator)
    assert membership.pk
    first = w.occurrences[0]
    cohorts.record_attendance(first, w.patient, "excused", w.facilitator)
    response = client_for(w.responsible).get(f"/clinic/patients/{w.patient.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Monday group" in body and "Excused: 1" in body
