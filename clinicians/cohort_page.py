"""What a cohort's page shows: the schedule, the attendance grid, who may be added. Built
from a cohort already found through clinicians.access, with a fixed number of queries
whatever the cohort's size (tests/clinicians/test_cohorts_views.py counts them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.urls import reverse

from outcomes.gate import latest_phq9s
from programs import cohorts as rules
from programs.models import Attendance, Cohort, Enrolment, EnrolmentPause, Occurrence, Screening
from recovery.models import User

from . import access
from .forms import AddMemberForm, MoveForm, ScreeningForm


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
    before_member: bool = False  # held before the patient's day 1: not theirs to attend

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
    out_of_step: str | None  # why their programme days don't match the cohort's, if so

    @property
    def patient(self) -> User:
        return self.enrolment.patient


def as_id(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def detail_url(cohort: Cohort, anchor: str = "") -> str:
    url = reverse("clinicians:cohort_detail", args=[cohort.pk])
    return f"{url}#{anchor}" if anchor else url


def today(cohort: Cohort) -> dt.date:
    return rules.clinic_today(cohort.clinic)


def candidates(cohort: Cohort, user: User) -> list[Candidate]:
    """Whom `user` may offer to add (clinicians.access decides), each with what the screening
    gate and the step check say about them (three queries)."""
    program = cohort.version.program
    enrolments = list(
        access.joinable_enrolments(cohort, user)
        .select_related("patient__patient_profile", "version")
        .prefetch_related(Prefetch("pauses", queryset=EnrolmentPause.objects.order_by("start")))
        .order_by("patient__patient_profile__display_name", "patient__email")
    )
    latest: dict[int, Screening] = {}
    if program.requires_screening and enrolments:
        for screening in Screening.objects.filter(
            program=program, patient_id__in=[e.patient_id for e in enrolments]
        ).order_by("patient_id", "-decided_on", "-created_at", "-pk"):
            latest.setdefault(screening.patient_id, screening)
    return [
        Candidate(
            e,
            rules.gate_message(e.patient, program, latest.get(e.patient_id)),
            rules.step_problem(cohort, e),
        )
        for e in enrolments
    ]


def cell(cohort: Cohort, occurrence: Occurrence, patient: User, **kw: Any) -> Cell:
    """One cell as stored now (after an htmx save)."""
    status = (
        Attendance.objects.filter(occurrence=occurrence, patient=patient)
        .values_list("status", flat=True)
        .first()
    )
    future = rules.local_start(occurrence).date() > today(cohort)
    return Cell(cohort, occurrence, patient, status or "", future, **kw)


def summary_context(cohort: Cohort) -> dict[str, Any]:
    return {"summary": rules.attendance_summary(cohort)}


def move_form(occurrence: Occurrence, local: dt.datetime, on: dt.date) -> MoveForm:
    return MoveForm(
        initial={
            "date": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "location": occurrence.location,
        },
        auto_id=f"move-{occurrence.pk}-%s",
        today=on,
    )


def _rows(cohort: Cohort, on: dt.date, move_forms: dict[int, MoveForm]) -> tuple[list, list]:
    zone = rules.clinic_zone(cohort)
    memberships = list(
        cohort.memberships.select_related("enrolment__patient__patient_profile").order_by(
            "enrolment__patient__patient_profile__display_name", "enrolment__patient__email"
        )
    )
    members = [m.enrolment.patient for m in memberships]
    since = {m.enrolment.patient_id: m.enrolment.start_date for m in memberships}
    marks = {
        (a["occurrence_id"], a["patient_id"]): a["status"]
        for a in Attendance.objects.filter(occurrence__cohort=cohort).values(
            "occurrence_id", "patient_id", "status"
        )
    }
    rows = []
    for occ in cohort.occurrences.select_related("session").order_by("starts_at"):
        occ.cohort = cohort
        local = occ.starts_at.astimezone(zone)
        future = local.date() > on
        cells = [
            Cell(
                cohort, occ, p, marks.get((occ.pk, p.pk), ""), future,
                before_member=local.date() < since[p.pk],
            )
            for p in members
        ]
        rows.append(
            {
                "occurrence": occ,
                "local_start": local,
                "future": future,
                "open_move": occ.pk in move_forms,
                "move_form": move_forms.get(occ.pk) or move_form(occ, local, on),
                "cells": cells,
            }
        )
    return rows, members


def detail_context(
    cohort: Cohort,
    user: User,
    *,
    screen: Any = None,
    screening_form: ScreeningForm | None = None,
    move_forms: dict[int, MoveForm] | None = None,
) -> dict[str, Any]:
    """Everything the cohort page renders. `screen` is a patient id whose screening form
    should be ready (after the gate stopped them)."""
    on = today(cohort)
    rows, members = _rows(cohort, on, move_forms or {})
    offered = candidates(cohort, user)
    needs_screening = [c.patient for c in offered if c.refusal and not c.out_of_step]
    phq9 = latest_phq9s(needs_screening)  # the screening form shows each one's latest PHQ-9
    if screening_form is None and needs_screening:
        wanted = as_id(screen)
        screening_form = ScreeningForm(
            patients=[c.patient for c in offered],
            initial={
                "patient": wanted if wanted in {p.pk for p in needs_screening} else None,
                "decided_on": on,
                "outcome": phq9[wanted].suggested_outcome if wanted in phq9 else None,
            },
            auto_id="screening-%s",
        )
    return {
        "cohort": cohort,
        "program": cohort.version.program,
        "facilitators": list(cohort.facilitators.select_related("clinician_profile")),
        "members": members,
        "rows": rows,
        **summary_context(cohort),
        "places_left": max(0, cohort.capacity - len(members)),
        "candidates": offered,
        "out_of_step": [c for c in offered if c.out_of_step],
        "needs_screening": needs_screening,
        "phq9": [(p, phq9.get(p.pk)) for p in needs_screening],
        "add_form": AddMemberForm(patients=[c.patient for c in offered], auto_id="add-%s"),
        "screening_form": screening_form,
        "time_zone": cohort.clinic.time_zone,
        "zone_label": cohort.clinic.time_zone.replace("_", " "),
    }
