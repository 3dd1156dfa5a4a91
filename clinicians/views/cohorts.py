"""Cohort pages for facilitators: the schedule (move, cancel), the attendance grid, adding
members behind the screening gate. Who may act is clinicians.access' (anyone who doesn't run
the cohort gets a 404); the rules are programs.cohorts'; the page is clinicians.cohort_page's.
These views only translate forms and render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Min, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from clinicians import access
from clinicians import cohort_page as page
from clinicians.forms import AddMemberForm, CohortForm, MoveForm, ScreeningForm
from programs import cohorts as rules
from programs.models import Attendance, Cohort, Enrolment, Screening
from recovery import audit
from recovery.decorators import clinician_required
from recovery.http import AuthedHttpRequest


def _render_detail(
    request: AuthedHttpRequest,
    cohort: Cohort,
    screening_form: ScreeningForm | None = None,
    move_forms: dict[int, MoveForm] | None = None,
) -> HttpResponse:
    context = page.detail_context(
        cohort, request.user, screen=request.GET.get("screen"),
        screening_form=screening_form, move_forms=move_forms,
    )
    audit.record(
        request, "view_cohort", cohort=cohort.pk, patients=[p.pk for p in context["members"]]
    )
    return render(request, "clinicians/cohorts/detail.html", context)


@clinician_required
def cohort_list(request: AuthedHttpRequest) -> HttpResponse:
    now = timezone.now()
    cohorts = list(
        access.cohorts_for(request.user)
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
def cohort_new(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    form = CohortForm(request.POST or None, today=rules.clinic_today(user.clinic))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # A double-clicked "Create" must not make two cohorts.
        cohort = access.cohorts_for(user).filter(
            version=data["version"], name=data["name"], start_date=data["start_date"]
        ).first()
        if cohort is not None:
            messages.info(request, _("“%(cohort)s” already exists: here it is.") % {"cohort": cohort.name})
            return redirect(page.detail_url(cohort))
        cohort = form.save(commit=False)
        cohort.clinic = user.clinic
        try:
            occurrences = rules.create_cohort(cohort, user)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            n = len(occurrences)
            messages.success(
                request, ngettext(
                    "Cohort “%(cohort)s” created with %(count)s group session.",
                    "Cohort “%(cohort)s” created with %(count)s group sessions.", n,
                ) % {"cohort": cohort.name, "count": n}
            )
            return redirect(page.detail_url(cohort))
    return render(request, "clinicians/cohorts/new.html", {"form": form})


@clinician_required
@vary_on_headers("HX-Request")
def cohort_detail(request: AuthedHttpRequest, cohort_id: int) -> HttpResponse:
    return _render_detail(request, access.get_cohort_for(request.user, cohort_id))


@clinician_required
@require_POST
@vary_on_headers("HX-Request")
def attendance_save(request: AuthedHttpRequest, cohort_id: int) -> HttpResponse:
    """Save one cell of the grid. htmx gets the cell back, with the summary swapped out of
    band so its counts follow at once; a plain form POST is redirected."""
    cohort = access.get_cohort_for(request.user, cohort_id)
    occurrence = access.get_occurrence_for(cohort, request.POST.get("occurrence"))
    patient = access.get_member_for(cohort, request.POST.get("patient"))
    status = request.POST.get("status", "")
    error = ""
    try:
        rules.record_attendance(occurrence, patient, status, request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    else:
        audit.record(
            request, "record_attendance", patient=patient, occurrence=occurrence.pk, status=status
        )
    if request.htmx:
        cell = page.cell(cohort, occurrence, patient, saved=not error, error=error)
        context = {"cell": cell, "cohort": cohort, **page.summary_context(cohort)}
        return render(request, "clinicians/cohorts/_attendance_saved.html", context)
    if error:
        messages.error(request, error)
    else:
        label = Attendance.Status(status).label
        messages.success(
            request, _("Saved: %(patient)s, %(label)s, %(session)s.") % {"patient": patient.display_name, "label": label.lower(), "session": occurrence.session.title}
        )
    return redirect(page.detail_url(cohort, f"occurrence-{occurrence.pk}"))


@clinician_required
@require_POST
def member_add(request: AuthedHttpRequest, cohort_id: int) -> HttpResponse:
    cohort = access.get_cohort_for(request.user, cohort_id)
    offered = {c.patient.pk: c for c in page.candidates(cohort, request.user)}
    form = AddMemberForm(request.POST, patients=[c.patient for c in offered.values()])
    if not form.is_valid():
        member = access.members_of(cohort).filter(pk=page.as_id(request.POST.get("patient")) or 0)
        if (found := member.select_related("patient_profile").first()) is not None:
            messages.info(request, _("%(name)s is already in this cohort.") % {"name": found.display_name})  # a repeat
        else:
            messages.error(request, _("Choose a patient to add from the list."))
        return redirect(page.detail_url(cohort, "add-member"))
    candidate = offered[form.cleaned_data["patient"].pk]
    if candidate.out_of_step:
        messages.error(request, candidate.out_of_step)
    elif candidate.refusal:
        # The gate: show the screening form for this patient, right there.
        messages.error(request, candidate.refusal)
        return redirect(f"{page.detail_url(cohort)}?screen={candidate.patient.pk}#screening")
    else:
        _join(request, cohort, candidate.enrolment)
    return redirect(page.detail_url(cohort, "add-member"))


def _join(request: AuthedHttpRequest, cohort: Cohort, enrolment: Enrolment) -> None:
    try:
        rules.join_cohort(cohort, enrolment, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        audit.record(request, "join_cohort", patient=enrolment.patient, cohort=cohort.pk)
        messages.success(request, _("%(patient)s has joined %(cohort)s.") % {"patient": enrolment.patient.display_name, "cohort": cohort.name})


@clinician_required
@require_POST
def screening_save(request: AuthedHttpRequest, cohort_id: int) -> HttpResponse:
    """Record a screening decision; if it clears the patient, they join this cohort."""
    cohort = access.get_cohort_for(request.user, cohort_id)
    offered = {c.patient.pk: c for c in page.candidates(cohort, request.user)}
    form = ScreeningForm(
        request.POST, patients=[c.patient for c in offered.values()], auto_id="screening-%s"
    )
    if form.is_valid():
        data = form.cleaned_data
        patient = data["patient"]
        try:
            rules.record_screening(
                patient, cohort.version.program, request.user, data["decided_on"],
                data["outcome"], data["reason"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            audit.record(request, "record_screening", patient=patient, outcome=data["outcome"])
            if data["outcome"] == Screening.Outcome.CLEARED:
                messages.success(request, _("Screening saved: %(patient)s is cleared.") % {"patient": patient.display_name})
                _join(request, cohort, offered[patient.pk].enrolment)
            else:
                messages.warning(
                    request,
                    _("Screening saved: %(patient)s needs individual care first and has not joined the group.") % {"patient": patient.display_name},
                )
            return redirect(page.detail_url(cohort, "add-member"))
    messages.error(request, _("The screening decision was not saved: see the form below."))
    return _render_detail(request, cohort, screening_form=form)


@clinician_required
@require_POST
def occurrence_move(request: AuthedHttpRequest, cohort_id: int, occurrence_id: int) -> HttpResponse:
    cohort = access.get_cohort_for(request.user, cohort_id)
    occurrence = access.get_occurrence_for(cohort, occurrence_id)
    form = MoveForm(request.POST, auto_id=f"move-{occurrence.pk}-%s", today=page.today(cohort))
    if form.is_valid():
        data = form.cleaned_data
        try:
            rules.move_occurrence(
                occurrence, dt.datetime.combine(data["date"], data["time"]), data["location"]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            local = rules.local_start(occurrence)
            messages.success(
                request, _("%(session)s moved to %(local)s.") % {"session": occurrence.session.title, "local": date_format(local, "l j F Y, H:i")}
            )
            return redirect(page.detail_url(cohort, f"occurrence-{occurrence.pk}"))
    messages.error(request, _("%(session)s was not moved: see the form below.") % {"session": occurrence.session.title})
    return _render_detail(request, cohort, move_forms={occurrence.pk: form})


@clinician_required
@require_POST
def occurrence_cancel(
    request: AuthedHttpRequest, cohort_id: int, occurrence_id: int
) -> HttpResponse:
    cohort = access.get_cohort_for(request.user, cohort_id)
    occurrence = access.get_occurrence_for(cohort, occurrence_id)
    restore = request.POST.get("action") == "restore"
    rules.cancel_occurrence(occurrence, cancelled=not restore)
    title = occurrence.session.title
    if restore:
        messages.success(request, _("%(session)s is back on.") % {"session": title})
    else:
        messages.success(request, _("%(session)s is cancelled.") % {"session": title})
    return redirect(page.detail_url(cohort, f"occurrence-{occurrence.pk}"))
