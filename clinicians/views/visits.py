"""Follow-up visits: schedule one (a date prefilled from the initial consultation), then record
its notes and whether it was held. The patient comes through clinicians.access.get_patient_for
(404 outside the care team; the read audited); the rules are clinicians.visits'."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clinicians import access, visits
from clinicians.forms_visits import NotesForm, ScheduleForm
from clinicians.models_visits import FollowUpVisit
from recovery.decorators import clinician_required
from recovery.http import AuthedHttpRequest
from recovery.models import User


def _when(visit: FollowUpVisit, user: User) -> str:
    local = visit.scheduled_for.astimezone(visits.clinic_zone(user))
    return _("%(day)s at %(time)s") % {"day": date_format(local, "l j F Y"), "time": f"{local:%H:%M}"}


@clinician_required
def visit_new(request: AuthedHttpRequest, patient_id: int) -> HttpResponse:
    action = "schedule_visit" if request.method == "POST" else "open_visit_form"
    patient = access.get_patient_for(request, patient_id, action)
    zone = visits.clinic_zone(request.user)
    today = dt.datetime.now(zone).date()
    suggested = visits.suggested_start(patient, today, zone)
    form = ScheduleForm(
        request.POST or None,
        today=today,
        initial={"date": suggested.date(), "time": suggested.time(), "mode": "in_person"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        when = dt.datetime.combine(data["date"], data["time"], tzinfo=zone)
        try:
            visit, created = visits.schedule(patient, request.user, when, data["mode"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if created:
                messages.success(request, _("Follow-up with %(patient)s scheduled for %(when)s.") % {"patient": patient.display_name, "when": _when(visit, request.user)})
            else:
                messages.info(request, _("That visit was already booked for %(when)s.") % {"when": _when(visit, request.user)})
            return redirect(reverse("clinicians:patient_review", args=[patient.pk]) + "#visits")
    return render(
        request,
        "clinicians/visits/new.html",
        {
            "patient": patient,
            "form": form,
            "first_consultation": visits.initial_consultation(patient),
            "zone_label": zone.key.replace("_", " "),
        },
    )


@clinician_required
def visit_detail(request: AuthedHttpRequest, patient_id: int, visit_id: int) -> HttpResponse:
    action = "record_visit" if request.method == "POST" else "view_visit"
    patient = access.get_patient_for(request, patient_id, action, visit=visit_id)
    visit = FollowUpVisit.objects.filter(pk=visit_id, patient=patient).first()
    if visit is None:
        raise Http404("No such visit")
    form = NotesForm(request.POST or None, instance=visit, auto_id="visit-%s")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        visit.refresh_from_db()  # the form wrote into it; the service decides what is saved
        try:
            visits.record(
                visit, status=data["status"], summary=data["summary"],
                discussed=data["discussed"], plan=data["plan"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Visit of %(when)s saved: %(status)s.") % {"when": _when(visit, request.user), "status": visit.get_status_display().lower()})
            return redirect(reverse("clinicians:patient_review", args=[patient.pk]) + "#visits")
    return render(
        request,
        "clinicians/visits/detail.html",
        {"patient": patient, "visit": visit, "form": form, "when": _when(visit, request.user)},
    )
