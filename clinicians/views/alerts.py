"""A clinician acknowledges a patient's safety alert with a note, from the review page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinicians.access import get_patient_for
from outcomes.alerts import acknowledge
from outcomes.models import SafetyAlert
from recovery.decorators import clinician_required
from recovery.http import AuthedHttpRequest


@require_POST
@clinician_required
def alert_acknowledge(request: AuthedHttpRequest, patient_id: int, alert_id: int) -> HttpResponse:
    patient = get_patient_for(request, patient_id, "acknowledge_alert", alert=alert_id)
    alert = SafetyAlert.objects.filter(pk=alert_id, patient=patient).first()
    if alert is None:
        raise Http404("No such alert")
    try:
        acknowledge(alert, request.user, request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Alert acknowledged; your note is kept with it."))
    return redirect(reverse("clinicians:patient_review", args=[patient.pk]) + "#alerts")
