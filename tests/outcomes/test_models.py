"""Responses and safety alerts: the invariants the database holds."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from outcomes.models import QuestionnaireResponse, SafetyAlert
from outcomes.scoring import score

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 3, 3)


def submitted(patient, version, answers, **extra):
    response = QuestionnaireResponse(
        patient=patient, version=version, local_date=DAY, answers=answers,
        status=QuestionnaireResponse.Status.SUBMITTED, submitted_at=timezone.now(), **extra,
    )
    response.apply_score(score(version.code, answers))
    response.save()
    return response


def test_a_submitted_response_stores_its_score_plainly(patient, instruments):
    response = submitted(patient, instruments["PHQ-9"], [2, 2, 2, 2, 2, 1, 1, 0, 1])
    row = QuestionnaireResponse.objects.filter(score__gte=10, safety=True).get()
    assert row == response
    assert (row.score, row.band, row.valid, row.missing) == (13.0, "Moderate", True, 0)


def test_one_draft_per_patient_and_instrument_version(patient, instruments):
    version = instruments["GAD-7"]
    QuestionnaireResponse.objects.create(patient=patient, version=version, local_date=DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionnaireResponse.objects.create(patient=patient, version=version, local_date=DAY)
    # Submitted responses are many.
    submitted(patient, version, [0] * 7)
    submitted(patient, version, [1] * 7)


def test_a_client_id_is_used_once_per_patient(patient, instruments):
    client_id = uuid.uuid4()
    submitted(patient, instruments["NRS"], [5], client_id=client_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        submitted(patient, instruments["NRS"], [5], client_id=client_id)


def test_a_submitted_response_needs_its_time_and_a_valid_one_its_score(patient, instruments):
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionnaireResponse.objects.create(
            patient=patient, version=instruments["NRS"], local_date=DAY, status="submitted"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionnaireResponse.objects.create(
            patient=patient, version=instruments["NRS"], local_date=DAY, valid=True
        )


def test_one_open_alert_per_response(patient, clinician, instruments):
    response = submitted(patient, instruments["PHQ-9"], [0] * 8 + [1])
    alert = SafetyAlert.objects.create(patient=patient, response=response, reason="item 9: 1")
    with pytest.raises(IntegrityError), transaction.atomic():
        SafetyAlert.objects.create(patient=patient, response=response, reason="again")
    alert.acknowledge(clinician, "Called the patient; safe, plan agreed.")
    alert.refresh_from_db()
    assert not alert.is_open and alert.acknowledged_by == clinician
    # Acknowledging twice keeps the first acknowledgement.
    alert.acknowledge(patient, "other")
    assert SafetyAlert.objects.get(pk=alert.pk).acknowledgement_note.startswith("Called")
