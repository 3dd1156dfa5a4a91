"""A clinician acknowledges a safety alert with a note; it then leaves the top of the caseload."""

from __future__ import annotations

import pytest

from outcomes.models import SafetyAlert
from tests.clinicians.test_access import World, frozen_clock  # noqa: F401  (fixture)
from tests.clinicians.test_views_use_access import _alert_for
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _url(w, alert):
    return f"/clinic/patients/{w.patient.pk}/alerts/{alert.pk}/acknowledge/"


def test_an_alert_needs_a_note_and_then_closes_once():
    w = World()
    alert = _alert_for(w.patient)
    client = client_for(w.responsible)
    review = client.get(f"/clinic/patients/{w.patient.pk}/").content.decode()
    assert "Open safety alert" in review and "What you did" in review

    refused = client.post(_url(w, alert), {"note": "   "}, follow=True)
    assert "Write what you did" in refused.content.decode()
    assert SafetyAlert.objects.get(pk=alert.pk).acknowledged_at is None

    client.post(_url(w, alert), {"note": "Called Sam; safe plan agreed."})
    client.post(_url(w, alert), {"note": "A second click"})  # a double click changes nothing
    alert.refresh_from_db()
    assert alert.acknowledged_by == w.responsible
    assert alert.acknowledgement_note == "Called Sam; safe plan agreed."
    assert "Open safety alert" not in client.get(f"/clinic/patients/{w.patient.pk}/").content.decode()


def test_outsiders_cannot_acknowledge():
    w = World()
    alert = _alert_for(w.patient)
    for outsider in (w.colleague, w.foreign_clinician, w.foreign_admin, w.patient):
        response = client_for(outsider).post(_url(w, alert), {"note": "not mine"})
        assert response.status_code == 404
    assert SafetyAlert.objects.get(pk=alert.pk).acknowledged_at is None
