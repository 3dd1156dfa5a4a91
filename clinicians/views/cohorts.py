"""Cohort pages for facilitators: the schedule (move, cancel), the attendance grid, adding
members behind the screening gate. The rules are in programs.cohorts; these views only
check access, translate forms and render. Anyone who doesn't run the cohort gets a 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from clinicians.access import patients_for
from programs import cohorts as rules
from programs.models import (
    Attendance,
    Cohort,
    Enrolment,
    Occurrence,
    ProgramVersion,
    Screening,
)
from recovery import audit
from recovery.decorators import clinician_required
from recovery.models import User

OPEN = (Enrolment.Status.ACTIVE, Enrolment.Status.PAUSED)


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails  # set by django_htmx's middleware


# --- forms ------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_title} (version {obj.number})"


class PatientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.display_name
        return name if name == obj.email else f"{name} ({obj.email})"


def group_versions() -> QuerySet[ProgramVersion]:
    """Published versions that have group meetings to schedule."""
    return (
        ProgramVersion.objects.filter(status=ProgramVersion.Status.PUBLISHED)
        .filter(Q(program__is_group=True) | Q(sessions__kind__in=rules.GROUP_KINDS))
        .select_related("program")
        .distinct()
        .order_by("program__title", "-number")
    )


class CohortForm(forms.ModelForm):
    version = VersionChoiceField(
        queryset=ProgramVersion.objects.none(), label="Programme", empty_label="Choose a programme"
    )
    video_link = forms.URLField(
        label="Video link", required=False, assume_scheme="https",
        help_text="Optional, for online groups.",
    )

    class Meta:
        model = Cohort
        fields = ["version", "name", "start_date", "meeting_time", "capacity", "location", "video_link"]
        labels = {
            "name": "Cohort name",
            "start_date": "Start date (day 1)",
            "meeting_time": "Meeting time",
            "capacity": "Places",
            "location": "Place",
        }
        help_texts = {
            "start_date": "The first day of week 1. Sessions fall on their programme day from here.",
            "meeting_time": "In the clinic's time zone.",
            "location": "Optional, e.g. “Group room, 2nd floor”.",
        }
        widgets = {"start_date": DateInput(), "meeting_time": TimeInput(format="%H:%M")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(VersionChoiceField, self.fields["version"]).queryset = group_versions()

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data["capacity"]
        if capacity < 1:
            raise ValidationError("A cohort needs at least one place.")
        return int(capacity)


class MoveForm(forms.Form):
    date = forms.DateField(label="Date", widget=DateInput())
    time = forms.TimeField(label="Time", widget=TimeInput(format="%H:%M"))
    location = forms.CharField(label="Place", required=False, max_length=200)


class AddMemberForm(forms.Form):
    patient = PatientChoiceField(
        queryset=User.objects.none(), label="Patient", empty_label="Choose a patient"
    )

    def __init__(self, *args: Any, patients: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(PatientChoiceField, self.fields["patient"])
        field.queryset = User.objects.filter(pk__in=[p.pk for p in patients])
        # The choices are already loaded: render them without another query.
        field.choices = [("", field.empty_label)] + [
            (str(p.pk), field.label_from_instance(p)) for p in patients
        ]


class ScreeningForm(AddMemberForm):
    outcome = forms.ChoiceField(
        label="Decision", choices=Screening.Outcome.choices, widget=forms.RadioSelect
    )
    decided_on = forms.DateField(label="Date of decision", widget=DateInput())
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why: e.g. no severe depression or suicidal thoughts at assessment.",
    )


# --- page data --------------------------------------------------------------------------


@dataclass
class Cell:
    """One patient's attendance at one meeting: a small form of its own."""

    cohort: Cohort
    occurrence: Occurrence
    patient: User
    status: str
    future: bool  # the meeting's day has not come: only "excused" can be recorded
    saved: bool = False
    error: str = ""

    @property
    def dom_id(self) -> str:
        return f"att-{self.occurrence.pk}-{self.patient.pk}"

    @property
    def options(self) -> list[dict[str, Any]]:
        return [
            {
                "value": value,
                "label": label,
                "id": f"{self.dom_id}-{value}",
                "checked": self.status == value,
                "disabled": self.future and value != Attendance.Status.EXCUSED,
            }
            for value, label in Attendance.Status.choices
        ]


@dataclass
class Candidate:
    enrolment: Enrolment
    refusal: str | None  # what the screening gate says, if it stops them

    @property
    def patient(self) -> User:
        return self.enrolment.patient


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _cohort_or_404(user: User, cohort_id: int) -> Cohort:
    cohort = (
        rules.cohorts_for(user)
        .select_related("clinic", "version__program")
        .filter(pk=cohort_id)
        .first()
    )
    if cohort is None:
        raise Http404("No such cohort")
    return cohort


def _occurrence_or_404(cohort: Cohort, occurrence_id: Any) -> Occurrence:
    occurrence = (
        Occurrence.objects.select_related("session")
        .filter(pk=_int(occurrence_id) or 0, cohort=cohort)
        .first()
    )
    if occurrence is None:
        raise Http404("No such session")
    occurrence.cohort = cohort  # already loaded, with its clinic
    return occurrence


def _member_or_404(cohort: Cohort, patient_id: Any) -> User:
    patient = (
        User.objects.select_related("patient_profile")
        .filter(pk=_int(patient_id) or 0, enrolments__memberships__cohort=cohort)
        .first()
    )
    if patient is None:
        raise Http404("No such member")
    return patient


def _detail_url(cohort: Cohort, anchor: str = "") -> str:
    url = reverse("clinicians:cohort_detail", args=[cohort.pk])
    return f"{url}#{anchor}" if anchor else url


def _clinic_today(cohort: Cohort) -> dt.date:
    return timezone.now().astimezone(rules.clinic_zone(cohort)).date()


def _is_future(occurrence: Occurrence, today: dt.date) -> bool:
    return rules.local_start(occurrence).date() > today


def _candidates(cohort: Cohort, user: User) -> list[Candidate]:
    """Patients of the user's care team with an open enrolment in the cohort's programme who
    are not members yet, each with what the screening gate says about them (two queries)."""
    program = cohort.version.program
    enrolments = list(
        Enrolment.objects.filter(
            program=program,
            status__in=OPEN,
            patient__clinic_id=cohort.clinic_id,
            patient__in=patients_for(user).values("pk"),
        )
        .exclude(memberships__cohort=cohort)
        .select_related("patient__patient_profile")
        .order_by("patient__patient_profile__display_name", "patient__email")
    )
    latest: dict[int, Screening] = {}
    if program.requires_screening and enrolments:
        for screening in Screening.objects.filter(
            program=program, patient_id__in=[e.patient_id for e in enrolments]
        ).order_by("patient_id", "-decided_on", "-created_at", "-pk"):
            latest.setdefault(screening.patient_id, screening)
    return [
        Candidate(e, rules.gate_message(e.patient, program, latest.get(e.patient_id)))
        for e in enrolments
    ]


def _render_detail(
    request: HttpRequest,
    cohort: Cohort,
    *,
    screening_form: ScreeningForm | None = None,
    move_forms: dict[int, MoveForm] | None = None,
) -> HttpResponse:
    user = request.user
    zone = rules.clinic_zone(cohort)
    today = _clinic_today(cohort)
    occurrences = list(cohort.occurrences.select_related("session").order_by("starts_at"))
    members = [
        m.enrolment.patient
        for m in cohort.memberships.select_related("enrolment__patient__patient_profile").order_by(
            "enrolment__patient__patient_profile__display_name", "enrolment__patient__email"
        )
    ]
    marks = dict(
        ((a["occurrence_id"], a["patient_id"]), a["status"])
        for a in Attendance.objects.filter(occurrence__cohort=cohort).values(
            "occurrence_id", "patient_id", "status"
        )
    )
    move_forms = move_forms or {}
    rows = []
    for occ in occurrences:
        occ.cohort = cohort
        local = occ.starts_at.astimezone(zone)
        future = local.date() > today
        rows.append(
            {
                "occurrence": occ,
                "local_start": local,
                "future": future,
                "open_move": occ.pk in move_forms,
                "move_form": move_forms.get(occ.pk)
                or MoveForm(
                    initial={
                        "date": local.date(),
                        "time": local.time().replace(second=0, microsecond=0),
                        "location": occ.location,
                    },
                    auto_id=f"move-{occ.pk}-%s",
                ),
                "cells": [
                    Cell(cohort, occ, p, marks.get((occ.pk, p.pk), ""), future) for p in members
                ],
            }
        )
    candidates = _candidates(cohort, user)
    program = cohort.version.program
    needs_screening = [c.patient for c in candidates if c.refusal]
    if screening_form is None and needs_screening:
        wanted = _int(request.GET.get("screen"))
        screening_form = ScreeningForm(
            patients=[c.patient for c in candidates],
            initial={
                "patient": wanted if wanted in {p.pk for p in needs_screening} else None,
                "decided_on": today,
            },
            auto_id="screening-%s",
        )
    audit.record(
        request, "view_cohort", cohort=cohort.pk, patients=[p.pk for p in members]
    )
    return render(
        request,
        "clinicians/cohorts/detail.html",
        {
            "cohort": cohort,
            "program": program,
            "facilitators": list(cohort.facilitators.select_related("clinician_profile")),
            "members": members,
            "rows": rows,
            "summary": rules.attendance_summary(cohort),
            "places_left": max(0, cohort.capacity - len(members)),
            "candidates": candidates,
            "needs_screening": needs_screening,
            "add_form": AddMemberForm(
                patients=[c.patient for c in candidates], auto_id="add-%s"
            ),
            "screening_form": screening_form,
            "time_zone": cohort.clinic.time_zone,
            "zone_label": cohort.clinic.time_zone.replace("_", " "),
        },
    )


# --- pages ------------------------------------------------------------------------------


@clinician_required
def cohort_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    cohorts = list(
        rules.cohorts_for(request.user)
        .select_related("clinic", "version__program")
        .annotate(
            member_count=Count("memberships", distinct=True),
            next_start=Min(
                "occurrences__starts_at",
                filter=Q(occurrences__starts_at__gte=now, occurrences__cancelled=False),
            ),
        )
        .order_by("-start_date", "name")
    )
    audit.record(request, "view_cohort_list", count=len(cohorts))
    return render(request, "clinicians/cohorts/list.html", {"cohorts": cohorts})


@clinician_required
def cohort_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # A double-clicked "Create" must not make two cohorts.
        cohort = rules.cohorts_for(user).filter(
            version=data["version"], name=data["name"], start_date=data["start_date"]
        ).first()
        if cohort is None:
            cohort = form.save(commit=False)
            cohort.clinic_id = user.clinic_id
            cohort.save()
            cohort.facilitators.add(user)
            occurrences = rules.generate_occurrences(cohort)
            messages.success(
                request,
                f"Cohort “{cohort.name}” created with {len(occurrences)} group "
                f"session{'s' if len(occurrences) != 1 else ''}.",
            )
        else:
            messages.info(request, f"“{cohort.name}” already exists: here it is.")
        return redirect(_detail_url(cohort))
    return render(request, "clinicians/cohorts/new.html", {"form": form})


@clinician_required
@vary_on_headers("HX-Request")
def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    return _render_detail(request, _cohort_or_404(request.user, cohort_id))


@clinician_required
@require_POST
@vary_on_headers("HX-Request")
def attendance_save(request: HtmxHttpRequest, cohort_id: int) -> HttpResponse:
    """Save one cell of the grid. htmx gets the cell back; a plain form POST is redirected."""
    cohort = _cohort_or_404(request.user, cohort_id)
    occurrence = _occurrence_or_404(cohort, request.POST.get("occurrence"))
    patient = _member_or_404(cohort, request.POST.get("patient"))
    status = request.POST.get("status", "")
    error = ""
    try:
        rules.record_attendance(occurrence, patient, status, request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    except PermissionDenied as exc:
        raise Http404("No such cohort") from exc
    else:
        audit.record(
            request, "record_attendance", patient=patient, occurrence=occurrence.pk, status=status
        )
    if request.htmx:
        current = (
            Attendance.objects.filter(occurrence=occurrence, patient=patient)
            .values_list("status", flat=True)
            .first()
        )
        cell = Cell(
            cohort, occurrence, patient, current or "",
            _is_future(occurrence, _clinic_today(cohort)), saved=not error, error=error,
        )
        return render(request, "clinicians/cohorts/_attendance_cell.html", {"cell": cell})
    if error:
        messages.error(request, error)
    else:
        label = Attendance.Status(status).label
        messages.success(
            request, f"Saved: {patient.display_name}, {label.lower()}, {occurrence.session.title}."
        )
    return redirect(_detail_url(cohort, f"occurrence-{occurrence.pk}"))


@clinician_required
@require_POST
def member_add(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = _cohort_or_404(request.user, cohort_id)
    candidates = {c.patient.pk: c for c in _candidates(cohort, request.user)}
    form = AddMemberForm(request.POST, patients=[c.patient for c in candidates.values()])
    if not form.is_valid():
        member = (
            User.objects.filter(
                pk=_int(request.POST.get("patient")) or 0, enrolments__memberships__cohort=cohort
            )
            .select_related("patient_profile")
            .first()
        )
        if member is not None:  # a repeated submission: nothing to do
            messages.info(request, f"{member.display_name} is already in this cohort.")
            return redirect(_detail_url(cohort, "add-member"))
        messages.error(request, "Choose a patient to add from the list.")
        return redirect(_detail_url(cohort, "add-member"))
    candidate = candidates[form.cleaned_data["patient"].pk]
    if candidate.refusal:
        # The gate: show the screening form for this patient, right there.
        messages.error(request, candidate.refusal)
        url = reverse("clinicians:cohort_detail", args=[cohort.pk])
        return redirect(f"{url}?screen={candidate.patient.pk}#screening")
    _join(request, cohort, candidate.enrolment)
    return redirect(_detail_url(cohort, "add-member"))


def _join(request: HttpRequest, cohort: Cohort, enrolment: Enrolment) -> None:
    name = enrolment.patient.display_name
    try:
        rules.join_cohort(cohort, enrolment, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        raise Http404("No such cohort") from exc
    else:
        audit.record(request, "join_cohort", patient=enrolment.patient, cohort=cohort.pk)
        messages.success(request, f"{name} has joined {cohort.name}.")


@clinician_required
@require_POST
def screening_save(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Record a screening decision; if it clears the patient, they join this cohort."""
    cohort = _cohort_or_404(request.user, cohort_id)
    program = cohort.version.program
    candidates = {c.patient.pk: c for c in _candidates(cohort, request.user)}
    form = ScreeningForm(
        request.POST, patients=[c.patient for c in candidates.values()], auto_id="screening-%s"
    )
    if form.is_valid():
        data = form.cleaned_data
        patient = data["patient"]
        try:
            rules.record_screening(
                patient, program, request.user, data["decided_on"], data["outcome"], data["reason"]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            audit.record(request, "record_screening", patient=patient, outcome=data["outcome"])
            enrolment = candidates[patient.pk].enrolment
            if data["outcome"] == Screening.Outcome.CLEARED:
                messages.success(request, f"Screening saved: {patient.display_name} is cleared.")
                _join(request, cohort, enrolment)
            else:
                messages.warning(
                    request,
                    f"Screening saved: {patient.display_name} needs individual care first and "
                    "has not joined the group.",
                )
            return redirect(_detail_url(cohort, "add-member"))
    messages.error(request, "The screening decision was not saved: see the form below.")
    return _render_detail(request, cohort, screening_form=form)


@clinician_required
@require_POST
def occurrence_move(request: HttpRequest, cohort_id: int, occurrence_id: int) -> HttpResponse:
    cohort = _cohort_or_404(request.user, cohort_id)
    occurrence = _occurrence_or_404(cohort, occurrence_id)
    form = MoveForm(request.POST, auto_id=f"move-{occurrence.pk}-%s")
    if not form.is_valid():
        messages.error(request, f"{occurrence.session.title} was not moved: see the form below.")
        return _render_detail(request, cohort, move_forms={occurrence.pk: form})
    data = form.cleaned_data
    rules.move_occurrence(
        occurrence, dt.datetime.combine(data["date"], data["time"]), location=data["location"]
    )
    local = rules.local_start(occurrence)
    messages.success(
        request, f"{occurrence.session.title} moved to {local:%A %-d %B, %H:%M}."
    )
    return redirect(_detail_url(cohort, f"occurrence-{occurrence.pk}"))


@clinician_required
@require_POST
def occurrence_cancel(request: HttpRequest, cohort_id: int, occurrence_id: int) -> HttpResponse:
    cohort = _cohort_or_404(request.user, cohort_id)
    occurrence = _occurrence_or_404(cohort, occurrence_id)
    restore = request.POST.get("action") == "restore"
    rules.cancel_occurrence(occurrence, cancelled=not restore)
    title = occurrence.session.title
    messages.success(request, f"{title} is back on." if restore else f"{title} is cancelled.")
    return redirect(_detail_url(cohort, f"occurrence-{occurrence.pk}"))
