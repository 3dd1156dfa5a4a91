"""/clinic/patients/<id>/: one patient's review before a follow-up. The patient is found, and
the read audited, by clinicians.access.get_patient_for; the page is clinicians.review's."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from clinicians import access, care_teams, review
from clinicians.views.enrolments import programme_context
from recovery.decorators import clinician_required
from recovery.http import AuthedHttpRequest
from recovery.models import User


def intake_panels(patient: User, user: User) -> dict[str, Any]:
    """The programme (enrol, pause, resume, complete, withdraw) and care-team sections: their
    partials read these names at the top of the context, as on the programme page."""
    return {
        **programme_context(patient, user),
        **care_teams.panel_context(patient, user),
        "show_intake_panels": True,
    }


@clinician_required
def patient_review(request: AuthedHttpRequest, patient_id: int) -> HttpResponse:
    patient = access.get_patient_for(request, patient_id, "view_patient_review")
    context = review.review_context(patient, request.user)
    context.update(intake_panels(patient, request.user))
    return render(request, "clinicians/patients/review.html", context)
