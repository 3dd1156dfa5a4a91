"""The admin: instrument versions read-only with their licence note; responses and alerts of
the admin's own clinic only, every look audited; an alert acknowledged by whoever writes a note."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from outcomes.models import InstrumentVersion, QuestionnaireResponse, SafetyAlert
from recovery.models import AuditEvent
from tests.conftest import client_for
from tests.factories import AdminFactory, ClinicFactory, PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(patient):
    return client_for(AdminFactory(email="admin@example.test", clinic=patient.clinic))


def alert_for(patient, version) -> SafetyAlert:
    response = QuestionnaireResponse.objects.create(
        patient=patient, version=version, local_date=dt.date(2025, 3, 3), answers=[0] * 8 + [2],
        status="submitted", submitted_at=timezone.now(), safety=True,
    )
    return SafetyAlert.objects.create(patient=patient, response=response, reason="item 9: 2")


def test_a_disabled_instrument_says_why_and_how_to_enable_it(admin_client, instruments):
    pcs = instruments["PCS"]
    page = admin_client.get(reverse("admin:outcomes_instrumentversion_change", args=[pcs.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Disabled because its licence is unclear." in text
    assert "load_instruments --dir" in text
    assert 'name="enabled"' not in text  # placeholder wording: no switch to flip
    listing = admin_client.get(reverse("admin:outcomes_instrumentversion_changelist"))
    assert "Disabled because their licence is unclear" in listing.content.decode()


def test_an_admin_can_switch_a_free_instrument_off_but_not_edit_it(admin_client, instruments):
    gad = instruments["GAD-7"]
    url = reverse("admin:outcomes_instrumentversion_change", args=[gad.pk])
    page = admin_client.get(url)
    assert 'name="enabled"' in page.content.decode()
    assert 'name="citation"' not in page.content.decode()
    admin_client.post(url, {})  # the unchecked box
    assert not InstrumentVersion.objects.get(pk=gad.pk).enabled


def test_alerts_stay_in_the_clinic_and_every_look_is_audited(admin_client, patient, instruments):
    mine = alert_for(patient, instruments["PHQ-9"])
    theirs = alert_for(PatientFactory(clinic=ClinicFactory()), instruments["PHQ-9"])
    listing = admin_client.get(reverse("admin:outcomes_safetyalert_changelist"))
    assert listing.context["cl"].result_count == 1
    change = reverse("admin:outcomes_safetyalert_change", args=[theirs.pk])
    assert admin_client.get(change).status_code == 302  # not found, back to the index
    admin_client.get(reverse("admin:outcomes_safetyalert_change", args=[mine.pk]))
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"admin_list_safety_alert", "admin_view_safety_alert"} <= actions
    assert AuditEvent.objects.filter(patient=patient).exists()


def test_writing_a_note_acknowledges_the_alert(admin_client, patient, instruments):
    alert = alert_for(patient, instruments["PHQ-9"])
    url = reverse("admin:outcomes_safetyalert_change", args=[alert.pk])
    admin_client.post(url, {"acknowledgement_note": "Phoned; safe tonight, GP informed."})
    alert.refresh_from_db()
    assert not alert.is_open and alert.acknowledged_by.email == "admin@example.test"
