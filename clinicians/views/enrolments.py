"""The "Programme" section of a patient's page: enrol a patient of the clinic, pause, resume,
complete or withdraw an enrolment. Every change goes through the engine (programs.enrolments);
the patient through clinicians.access.get_patient_for (404 outside the care team). POST only;
a repeated POST changes nothing and says so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from clinicians import care_teams
from clinicians.access import get_patient_for
from clinicians.intake_forms import EnrolForm
from programs import enrolments as engine
from programs.models import Enrolment
from recovery.decorators import clinician_required
from recovery.http import AuthedHttpRequest
from recovery.models import User

Status = Enrolment.Status

# action -> (engine call, the status it leads to, past participle, which statuses allow it)
ACTIONS: dict[str, tuple[Callable[..., Enrolment], str, str, tuple[str, ...]]] = {
    "pause": (engine.pause, Status.PAUSED, gettext_noop("paused"), (Status.ACTIVE,)),
    "resume": (engine.resume, Status.ACTIVE, gettext_noop("resumed"), (Status.PAUSED,)),
    "complete": (engine.complete, Status.COMPLETED, gettext_noop("completed"), (Status.ACTIVE, Status.PAUSED)),
    "withdraw": (engine.withdraw, Status.WITHDRAWN, gettext_noop("withdrawn"), (Status.ACTIVE, Status.PAUSED)),
}


def patient_url(patient: User) -> str:
    """The patient's page: the review page when it exists, else this section's own page."""
    for name in ("clinicians:patient_detail", "clinicians:patient_review"):
        try:
            return reverse(name, args=[patient.pk])
        except NoReverseMatch:
            continue
    return reverse("clinicians:patient_programme", args=[patient.pk])


def programme_context(patient: User, user: User) -> dict[str, Any]:
    """Context of templates/clinicians/patients/_programme.html (`patient` found through
    clinicians.access)."""
    enrolments = list(
        Enrolment.objects.filter(patient=patient)
        .select_related("program", "version", "clinician__clinician_profile")
        .order_by("-start_date", "-pk")
    )
    rows = [
        {"enrolment": e, "actions": [a for a, spec in ACTIONS.items() if e.status in spec[3]]}
        for e in enrolments
    ]
    return {
        "patient": patient,
        "enrolment_rows": rows,
        "enrol_form": EnrolForm(today=patient.local_today(), auto_id="enrol_%s"),
        "can_enrol": user.is_clinician,
    }


@clinician_required
def patient_programme(request: AuthedHttpRequest, patient_id: int) -> HttpResponse:
    """The programme and care team sections on a page of their own (no-JS target, and the
    patient's page until the review page includes them)."""
    patient = get_patient_for(request, patient_id, "view_programme")
    context = programme_context(patient, request.user)
    context.update(care_teams.panel_context(patient, request.user))
    return render(request, "clinicians/patients/programme.html", context)


@clinician_required
@require_POST
def enrolment_new(request: AuthedHttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request, patient_id, "enrol_patient")
    back = patient_url(patient)
    if not request.user.is_clinician:
        messages.error(request, _("A clinician enrols patients: they become responsible for it."))
        return redirect(back)
    form = EnrolForm(request.POST, today=patient.local_today())
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect(back)
    program, start = form.cleaned_data["program"], form.cleaned_data["start_date"]
    same = Enrolment.objects.open().filter(patient=patient, program=program, start_date=start)
    if same.exists():  # a double-clicked "Enrol"
        messages.info(request, _("%(patient)s is already enrolled in “%(program)s”.") % {"patient": patient.display_name, "program": program})
        return redirect(back)
    try:
        engine.enrol(patient, request.user, start, program=program)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("%(patient)s is enrolled in “%(program)s” from %(start)s.") % {"patient": patient.display_name, "program": program, "start": date_format(start, "j F Y")}
        )
    return redirect(back)


def _change(request: AuthedHttpRequest, patient_id: int, enrolment_id: int, action: str) -> HttpResponse:
    patient = get_patient_for(request, patient_id, f"{action}_enrolment", enrolment=enrolment_id)
    enrolment = (
        Enrolment.objects.select_related("program").filter(pk=enrolment_id, patient=patient).first()
    )
    if enrolment is None:
        raise Http404("No such enrolment")
    call, target, done, _allowed = ACTIONS[action]
    name, program = patient.display_name, enrolment.program
    if enrolment.status == target:
        messages.info(request, _("%(name)s's enrolment in “%(program)s” is already %(done)s.") % {"name": name, "program": program, "done": _(done)})
        return redirect(patient_url(patient))
    on_date = patient.local_today()
    try:
        if action == "pause":
            call(enrolment, on_date, reason=request.POST.get("reason", "").strip())
        else:
            call(enrolment, on_date)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s's enrolment in “%(program)s” is %(done)s.") % {"name": name, "program": program, "done": _(done)})
    return redirect(patient_url(patient))


@clinician_required
@require_POST
def enrolment_pause(request: AuthedHttpRequest, patient_id: int, enrolment_id: int) -> HttpResponse:
    return _change(request, patient_id, enrolment_id, "pause")


@clinician_required
@require_POST
def enrolment_resume(request: AuthedHttpRequest, patient_id: int, enrolment_id: int) -> HttpResponse:
    return _change(request, patient_id, enrolment_id, "resume")


@clinician_required
@require_POST
def enrolment_complete(
    request: AuthedHttpRequest, patient_id: int, enrolment_id: int
) -> HttpResponse:
    return _change(request, patient_id, enrolment_id, "complete")


@clinician_required
@require_POST
def enrolment_withdraw(
    request: AuthedHttpRequest, patient_id: int, enrolment_id: int
) -> HttpResponse:
    return _change(request, patient_id, enrolment_id, "withdraw")
