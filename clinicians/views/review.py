"""/clinic/patients/<id>/: one patient's review before a follow-up. The patient is found, and
the read audited, by clinicians.access.get_patient_for; the page is clinicians.review's."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from clinicians import access, review
from recovery.decorators import clinician_required
from recovery.http import AuthedHttpRequest
from recovery.models import User


def intake_panels(patient: User, user: User) -> dict[str, Any]:
    """LEAD: the spot for h/intake's panels. Once clinicians.views.enrolments.programme_context
    and clinicians.care_teams.panel_context are on main, return
    {"programme": programme_context(patient, user), "care_team": panel_context(patient, user)};
    the template includes _programme.html and _care_team.html when those keys are set."""
    return {}


@clinician_required
def patient_review(request: AuthedHttpRequest, patient_id: int) -> HttpResponse:
    patient = access.get_patient_for(request, patient_id, "view_patient_review")
    context = review.review_context(patient, request.user)
    context.update(intake_panels(patient, request.user))
    return render(request, "clinicians/patients/review.html", context)
