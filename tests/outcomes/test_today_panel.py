"""The questionnaires card on Today: it reuses the programmes Today loaded, reads the ended
ones it did not load, and follows an instrument being switched off or on at once although
the list of instruments patients can answer is cached."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from outcomes.models import InstrumentVersion
from programs import enrolments
from tests.factories import ClinicianFactory, PatientFactory, enrol

from .helpers import scheduled_version

PEG = reverse("outcomes:answer", args=["PEG-3"])
NRS = reverse("outcomes:answer", args=["NRS"])


@pytest.fixture
def people(db):
    clinician = ClinicianFactory()
    patient = PatientFactory(clinic=clinician.clinic)
    return patient, clinician


def test_today_asks_for_an_ended_programmes_questionnaire_beside_the_open_ones(
    instruments, people, client
):
    patient, clinician = people
    today = patient.local_today()
    ended = enrol(
        patient, clinician,
        scheduled_version([{"instrument": "NRS", "when": "end", "window_days": 14}], slug="first"),
        start=today - dt.timedelta(days=40),
    )
    enrolments.complete(ended, today - dt.timedelta(days=3))
    enrol(
        patient, clinician,
        scheduled_version([{"instrument": "PEG-3", "when": "weekly"}], slug="second"),
        start=today - dt.timedelta(days=2),
    )
    client.force_login(patient)
    page = client.get(reverse("journaling:today")).content.decode()
    # Today loaded only the open programme; the ended one's end-of-programme slot still shows.
    assert PEG in page
    assert NRS in page


def test_switching_an_instrument_off_or_on_shows_on_today_at_once(instruments, people, client):
    patient, clinician = people
    today = patient.local_today()
    enrol(
        patient, clinician, scheduled_version([{"instrument": "PEG-3", "when": "weekly"}]),
        start=today - dt.timedelta(days=2),
    )
    client.force_login(patient)
    assert PEG in client.get(reverse("journaling:today")).content.decode()  # now cached

    version = instruments["PEG-3"]
    version.enabled = False
    version.save()
    assert PEG not in client.get(reverse("journaling:today")).content.decode()

    # The bulk path (an admin action) is followed too.
    InstrumentVersion.objects.filter(pk=version.pk).update(enabled=True)
    assert PEG in client.get(reverse("journaling:today")).content.decode()
