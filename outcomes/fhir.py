"""FHIR R4 export of instruments and responses, as plain dicts (JSON-ready).

- `questionnaire(version)`: a Questionnaire for one instrument version (items, answer options
  with their scores, LOINC codes where they exist, the licence as `copyright`).
- `patient_bundle(patient, responses)`: a collection Bundle of one patient's submitted
  responses: the Patient, a QuestionnaireResponse per response and, for every valid score, an
  Observation of the total (LOINC 44261-6 PHQ-9, 70274-6 GAD-7, 72514-3 pain 0-10; a local code
  otherwise), with PCS subscales as components.
- `validate(resource)`: builds the fhir.resources model, raising on anything FHIR refuses.

The installed fhir.resources (8.x) models R5 at its top level; `fhir.resources.R4B` is the
nearest to R4 it ships (R4B changed none of the resources produced here), so validation uses it.
Ids are derived from primary keys, so exporting twice gives the same resources.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone

from .models import InstrumentVersion, QuestionnaireResponse

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
STATUS = {"draft": "draft", "published": "active", "retired": "retired"}

Resource = dict[str, Any]


def base_url() -> str:
    """Canonical URLs and this deployment's own code systems live under SITE_URL/fhir."""
    return f"{settings.SITE_URL.rstrip('/')}/fhir"


def _slug(code: str) -> str:
    return code.lower().replace(" ", "-")  # PHQ-9 -> phq-9: a valid FHIR id fragment


def canonical(version: InstrumentVersion) -> str:
    return f"{base_url()}/Questionnaire/{_slug(version.code)}"


def _option_coding(version: InstrumentVersion, key: str, option: dict[str, Any]) -> Resource:
    """An answer as a Coding: LOINC's answer code where the definition has one, else ours."""
    display = option["label"] or str(option["value"])
    if option.get("code"):
        return {"system": LOINC, "code": option["code"], "display": display}
    system = f"{base_url()}/CodeSystem/{_slug(version.code)}-{key}"
    return {"system": system, "code": str(option["value"]), "display": display}


def _choice_item(
    version: InstrumentVersion, link_id: str, key: str, question: dict[str, Any]
) -> Resource:
    item: Resource = {"linkId": link_id, "text": question["text"], "type": "choice"}
    if question.get("loinc"):
        item["code"] = [{"system": LOINC, "code": question["loinc"]}]
    item["answerOption"] = [
        {
            "valueCoding": _option_coding(version, key, option),
            "extension": [{"url": ORDINAL_VALUE, "valueDecimal": option["value"]}],
        }
        for option in question["options"]
    ]
    return item


def questionnaire(version: InstrumentVersion) -> Resource:
    """The Questionnaire for one instrument version."""
    items: list[Resource] = []
    if version.instructions:
        items.append({"linkId": "instructions", "text": version.instructions, "type": "display"})
    items += [
        _choice_item(version, str(n), "answers", item)
        for n, item in enumerate(version.items, start=1)
    ]
    items += [
        _choice_item(version, extra["key"], extra["key"], extra)
        for extra in version.extra_questions
    ]
    resource: Resource = {
        "resourceType": "Questionnaire",
        "id": f"{_slug(version.code)}-v{version.number}",
        "url": canonical(version),
        "version": str(version.number),
        "name": "".join(ch for ch in version.code if ch.isalnum()),
        "title": version.display_title,
        "status": STATUS[version.status],
        "subjectType": ["Patient"],
        "description": (
            f"Recall period: {version.recall_period}. Source: {version.citation}"
            + (" Placeholder wording: the licensed text is not shipped." if version.placeholder_text else "")
        ),
        "copyright": version.licence,
        "language": version.language,
        "item": items,
    }
    if version.published_at:
        resource["date"] = version.published_at.isoformat()
    if version.loinc_panel:
        resource["code"] = [{"system": LOINC, "code": version.loinc_panel}]
    return resource


def _answer_items(response: QuestionnaireResponse) -> list[Resource]:
    version = response.version
    out = []
    for n, (item, value) in enumerate(zip(version.items, response.answers, strict=False), start=1):
        option = next((o for o in item["options"] if o["value"] == value), None)
        if option is not None:  # an unanswered item has no answer element
            out.append({
                "linkId": str(n),
                "text": item["text"],
                "answer": [{"valueCoding": _option_coding(version, "answers", option)}],
            })
    for extra in version.extra_questions:
        value = (response.extra_answers or {}).get(extra["key"])
        option = next((o for o in extra["options"] if o["value"] == value), None)
        if option is not None:
            out.append({
                "linkId": extra["key"],
                "text": extra["text"],
                "answer": [{"valueCoding": _option_coding(version, extra["key"], option)}],
            })
    return out


def questionnaire_response(response: QuestionnaireResponse, patient_ref: str) -> Resource:
    version = response.version
    resource: Resource = {
        "resourceType": "QuestionnaireResponse",
        "id": f"qr-{response.pk}",
        "questionnaire": f"{canonical(version)}|{version.number}",
        "status": "completed" if response.status == "submitted" else "in-progress",
        "subject": {"reference": patient_ref},
        "item": _answer_items(response),
    }
    when = response.submitted_at or response.updated_at
    if when:
        resource["authored"] = when.isoformat()
    return resource


def _score_quantity(value: float) -> Resource:
    return {"value": value, "unit": "{score}", "system": UCUM, "code": "{score}"}


def observation(response: QuestionnaireResponse, patient_ref: str) -> Resource | None:
    """The total score as an Observation, or None when the response has no valid score."""
    if not response.valid or response.score is None:
        return None
    version = response.version
    code = version.code
    if version.loinc_total:
        coding = {"system": LOINC, "code": version.loinc_total, "display": f"{code} total score"}
    else:
        coding = {
            "system": f"{base_url()}/CodeSystem/scores", "code": f"{_slug(code)}-total",
            "display": f"{code} total score",
        }
    value = response.score if code == "PEG-3" else int(response.score)
    resource: Resource = {
        "resourceType": "Observation",
        "id": f"obs-{response.pk}",
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey"}]}],
        "code": {"coding": [coding], "text": f"{version.display_title} total score"},
        "subject": {"reference": patient_ref},
        "effectiveDateTime": (response.submitted_at or response.updated_at).isoformat(),
        "valueQuantity": _score_quantity(value),
        "derivedFrom": [{"reference": f"QuestionnaireResponse/qr-{response.pk}"}],
    }
    if response.band:
        resource["interpretation"] = [{"text": response.band}]
    if response.prorated:
        resource["note"] = [{"text": f"Prorated: {response.missing} item(s) unanswered."}]
    if response.subscales:
        resource["component"] = [
            {
                "code": {
                    "coding": [{
                        "system": f"{base_url()}/CodeSystem/scores",
                        "code": f"{_slug(code)}-{name}",
                        "display": f"{code} {name}",
                    }],
                },
                "valueQuantity": _score_quantity(points),
            }
            for name, points in sorted(response.subscales.items())
        ]
    return resource


def patient_resource(patient: Any) -> Resource:
    resource: Resource = {
        "resourceType": "Patient",
        "id": f"patient-{patient.pk}",
        "identifier": [{"system": f"{base_url()}/patient-id", "value": str(patient.pk)}],
    }
    profile = getattr(patient, "patient_profile", None)
    name: str = profile.display_name if profile is not None else ""
    if name:
        resource["name"] = [{"text": name}]
    return resource


def patient_bundle(patient: Any, responses: Iterable[QuestionnaireResponse]) -> Resource:
    """A collection Bundle: the patient, their submitted responses and their valid scores."""
    base = base_url()
    person = patient_resource(patient)
    ref = f"Patient/{person['id']}"
    entries = [{"fullUrl": f"{base}/{ref}", "resource": person}]
    for response in responses:
        if response.status != QuestionnaireResponse.Status.SUBMITTED or response.patient_id != patient.pk:
            continue  # drafts are not results, and a bundle never mixes patients
        qr = questionnaire_response(response, ref)
        entries.append({"fullUrl": f"{base}/QuestionnaireResponse/{qr['id']}", "resource": qr})
        obs = observation(response, ref)
        if obs is not None:
            entries.append({"fullUrl": f"{base}/Observation/{obs['id']}", "resource": obs})
    return {
        "resourceType": "Bundle",
        "id": f"patient-{patient.pk}-outcomes",
        "type": "collection",
        "timestamp": timezone.now().isoformat(),
        "entry": entries,
    }


def validate(resource: Resource) -> Any:
    """The fhir.resources R4B model of `resource`; raises (pydantic) when FHIR refuses it."""
    from fhir.resources.R4B import get_fhir_model_class

    return get_fhir_model_class(resource["resourceType"]).model_validate(resource)


FHIR_JSON = "application/fhir+json"


def bundle_for(patient: Any) -> Resource:
    """The patient's outcomes Bundle (My data's JSON download includes it: recovery.exports)."""
    responses = QuestionnaireResponse.objects.filter(
        patient=patient, status=QuestionnaireResponse.Status.SUBMITTED
    ).select_related("version__instrument").order_by("local_date", "pk")
    return patient_bundle(patient, responses)


def bundle_bytes(patient: Any) -> bytes:
    """The Bundle as FHIR JSON (the care team's endpoint)."""
    import json

    return json.dumps(bundle_for(patient), indent=2).encode()
