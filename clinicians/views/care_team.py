"""The care team section of a patient's page: add or remove a clinician of the clinic, change
the primary. The patient comes through clinicians.access (so only their care team and the
clinic's admin get here); the rules are clinicians.care_teams'. POST only, idempotent."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinicians import care_teams
from clinicians.access import get_patient_for
from clinicians.views.enrolments import patient_url
from recovery.decorators import clinician_required
from recovery.http import AuthedHttpRequest
from recovery.models import User


def _clinician(patient: User, value: object) -> User | None:
    try:
        pk = int(str(value))
    except ValueError:
        return None
    return (
        User.objects.filter(pk=pk, role=User.Role.CLINICIAN, clinic_id=patient.clinic_id)
        .select_related("clinician_profile")
        .first()
    )


@clinician_required
@require_POST
def care_team_add(request: AuthedHttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request, patient_id, "change_care_team")
    clinician = _clinician(patient, request.POST.get("clinician"))
    if clinician is None:
        messages.error(request, _("Choose a clinician of the clinic to add."))
        return redirect(patient_url(patient))
    primary = request.POST.get("role") == care_teams.Role.PRIMARY
    try:
        care_teams.add_member(
            patient, clinician, by=request.user,
            role=care_teams.Role.PRIMARY if primary else care_teams.Role.OTHER,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        names = {"clinician": clinician.display_name, "patient": patient.display_name}
        if primary:
            messages.success(request, _("%(clinician)s is primary clinician of %(patient)s.") % names)
        else:
            messages.success(request, _("%(clinician)s is on the care team of %(patient)s.") % names)
    return redirect(patient_url(patient))


@clinician_required
@require_POST
def care_team_primary(request: AuthedHttpRequest, patient_id: int, clinician_id: int) -> HttpResponse:
    patient = get_patient_for(request, patient_id, "change_care_team")
    clinician = _clinician(patient, clinician_id)
    if clinician is None:
        messages.error(request, _("That clinician is not one of the clinic's."))
        return redirect(patient_url(patient))
    try:
        care_teams.set_primary(patient, clinician, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(clinician)s is now the primary clinician.") % {"clinician": clinician.display_name})
    return redirect(patient_url(patient))


@clinician_required
@require_POST
def care_team_remove(request: AuthedHttpRequest, patient_id: int, clinician_id: int) -> HttpResponse:
    patient = get_patient_for(request, patient_id, "change_care_team")
    clinician = _clinician(patient, clinician_id)
    try:
        removed = clinician is not None and care_teams.remove_member(
            patient, clinician, by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(patient_url(patient))
    if removed and clinician is not None:
        messages.success(request, _("%(clinician)s is no longer on the care team.") % {"clinician": clinician.display_name})
    else:
        messages.info(request, _("That clinician was not on the care team."))
    if clinician is not None and clinician.pk == request.user.pk and removed:
        return redirect("clinicians:dashboard")  # they no longer see this patient
    return redirect(patient_url(patient))
