"""FHIR R4 export: every resource type produced validates with fhir.resources (R4B models)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from pydantic import ValidationError

from outcomes import fhir
from outcomes.models import QuestionnaireResponse
from outcomes.scoring import score
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def respond(patient, version, answers, status="submitted", extra=None):
    response = QuestionnaireResponse(
        patient=patient, version=version, local_date=dt.date(2025, 3, 3), answers=answers,
        extra_answers=extra or {}, status=status,
        submitted_at=timezone.now() if status == "submitted" else None,
    )
    if status == "submitted":
        response.apply_score(score(version.code, answers))
    response.save()
    return response


@pytest.mark.parametrize("code", ["NRS", "PEG-3", "PHQ-9", "GAD-7", "PCS", "RMDQ"])
def test_every_instrument_is_a_valid_questionnaire(instruments, code):
    resource = fhir.questionnaire(instruments[code])
    model = fhir.validate(resource)
    assert model.status == "active"
    scored = [i for i in resource["item"] if i["linkId"].isdigit()]
    assert len(scored) == len(instruments[code].items)
    assert resource["copyright"] == instruments[code].licence


def test_phq9_questionnaire_carries_loinc_codes_and_scores(instruments):
    resource = fhir.questionnaire(instruments["PHQ-9"])
    assert resource["code"] == [{"system": fhir.LOINC, "code": "44249-1"}]
    item9 = next(i for i in resource["item"] if i["linkId"] == "9")
    assert item9["code"][0]["code"] == "44260-8"
    option = item9["answerOption"][3]
    assert option["valueCoding"]["code"] == "LA6571-9"
    assert option["extension"][0]["valueDecimal"] == 3
    assert any(i["linkId"] == "difficulty" for i in resource["item"])


def test_patient_bundle_validates_with_every_resource_inside(patient, instruments):
    respond(patient, instruments["PHQ-9"], [1, 2, 1, 2, 1, 0, 1, 0, None], extra={"difficulty": 1})
    respond(patient, instruments["GAD-7"], [1] * 7)
    respond(patient, instruments["NRS"], [6])
    respond(patient, instruments["PEG-3"], [7, 6, 6])
    respond(patient, instruments["PCS"], [2] * 13)
    respond(patient, instruments["RMDQ"], [1] * 12 + [0] * 11 + [None])  # invalid: no Observation
    respond(patient, instruments["GAD-7"], [3, None, None, None, None, None, None], status="draft")
    bundle = fhir.patient_bundle(patient, QuestionnaireResponse.objects.filter(patient=patient))
    fhir.validate(bundle)
    resources = [e["resource"] for e in bundle["entry"]]
    for resource in resources:
        fhir.validate(resource)
    kinds = [r["resourceType"] for r in resources]
    assert kinds.count("Patient") == 1
    assert kinds.count("QuestionnaireResponse") == 6  # the draft is not exported
    assert kinds.count("Observation") == 5  # the invalid RMDQ has no score to report
    by_code = {o["code"]["coding"][0]["code"]: o for o in resources if o["resourceType"] == "Observation"}
    assert by_code["44261-6"]["valueQuantity"]["value"] == 9  # 8 answered, prorated 8 x 9/8
    assert by_code["44261-6"]["interpretation"] == [{"text": "Mild"}]
    assert "Prorated" in by_code["44261-6"]["note"][0]["text"]
    assert by_code["70274-6"]["valueQuantity"]["value"] == 7
    assert by_code["72514-3"]["valueQuantity"]["value"] == 6
    assert by_code["peg-3-total"]["valueQuantity"]["value"] == 6.33
    pcs = by_code["pcs-total"]
    assert {c["code"]["coding"][0]["code"]: c["valueQuantity"]["value"] for c in pcs["component"]} == {
        "pcs-helplessness": 12, "pcs-magnification": 6, "pcs-rumination": 8,
    }
    phq = next(r for r in resources if r["resourceType"] == "QuestionnaireResponse"
               and r["questionnaire"].endswith("phq-9|1"))
    assert [i["linkId"] for i in phq["item"]] == ["1", "2", "3", "4", "5", "6", "7", "8", "difficulty"]


def test_a_bundle_never_mixes_patients(patient, instruments):
    other = PatientFactory()
    respond(other, instruments["NRS"], [3])
    bundle = fhir.patient_bundle(patient, QuestionnaireResponse.objects.all())
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Patient"]


def test_validate_refuses_what_fhir_refuses():
    with pytest.raises(ValidationError):
        fhir.validate({"resourceType": "Observation", "status": "final"})  # no code
