"""One patient's questionnaire results as a FHIR R4B Bundle (outcomes.fhir), for the care team:
reached through clinicians.access.get_patient_for, which 404s for anyone else and writes the
read to the audit trail."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from clinicians.access import get_patient_for
from outcomes.fhir import FHIR_JSON, bundle_bytes
from recovery.decorators import clinician_required
from recovery.http import AuthedHttpRequest


@clinician_required
@require_GET
def patient_fhir(request: AuthedHttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request, patient_id, "export_fhir")
    response = HttpResponse(bundle_bytes(patient), content_type=FHIR_JSON)
    response["Content-Disposition"] = f'inline; filename="patient-{patient.pk}-outcomes.json"'
    return response
