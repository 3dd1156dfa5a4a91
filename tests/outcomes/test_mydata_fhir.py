"""The patient's own questionnaire results, as a FHIR Bundle, inside My data's JSON download
(outcomes registers the part with recovery.exports)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from outcomes.fhir import validate
from tests.conftest import client_for
from tests.factories import PatientFactory

from .helpers import answer


@pytest.mark.django_db
def test_my_data_json_includes_my_fhir_bundle_and_nobody_elses(instruments, patient):
    answer(patient, "PHQ-9", dt.date(2026, 3, 2), [1, 0, 0, 0, 0, 0, 0, 0, 0])
    stranger = PatientFactory(clinic=patient.clinic)
    answer(stranger, "GAD-7", dt.date(2026, 3, 2))
    data = json.loads(client_for(patient).get("/my-data/export.json").content)
    bundle = data["questionnaires_fhir"]
    validate(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("QuestionnaireResponse") == 1
    assert "GAD" not in json.dumps(bundle)
