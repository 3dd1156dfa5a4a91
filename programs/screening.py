"""The screening gate before a group (seed 003: severe depression or suicidal thoughts mean
individual care first). Its own module so cohorts.py stays about meetings and members."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from recovery.models import User

from .models import Program, Screening


def record_screening(
    patient: User,
    program: Program,
    decided_by: User,
    decided_on: dt.date,
    outcome: str,
    reason: str,
) -> Screening:
    """A clinician's decision that a patient may join a group now, or needs individual care
    first (seed 003: severe depression or suicidal thoughts). The reason is always written."""
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Write the reason for this decision."
    if outcome not in Screening.Outcome.values:
        errors["outcome"] = "Choose “Cleared for group” or “Individual care first”."
    if decided_on is None:
        errors["decided_on"] = "Give the date of the decision."
    elif decided_on > decided_by.local_today():
        errors["decided_on"] = "A screening decision cannot be dated in the future."
    if not patient.is_patient or patient.clinic_id != decided_by.clinic_id:
        errors["patient"] = "This patient is not one of your clinic's patients."
    if not (decided_by.is_clinician or decided_by.is_admin):
        errors["decided_by"] = "Only a clinician can record a screening decision."
    if errors:
        raise ValidationError(errors)
    return Screening.objects.create(
        patient=patient,
        program=program,
        decided_by=decided_by,
        decided_on=decided_on,
        outcome=outcome,
        reason=reason,
    )


def latest_screening(patient: User, program: Program) -> Screening | None:
    return (
        Screening.objects.filter(patient=patient, program=program)
        .order_by("-decided_on", "-created_at", "-pk")
        .first()
    )


def screening_refusal(patient: User, program: Program) -> str | None:
    """Why the screening gate stops this patient joining a group of `program`, or None."""
    if not program.requires_screening:
        return None
    return gate_message(patient, program, latest_screening(patient, program))


# Apps above programs add what they know to the gate: fn(patient, program, latest screening)
# -> why the patient may not join a group yet, or None. outcomes registers its PHQ-9 check
# (a severe score or a thought of self-harm holds until a clinician records a new decision).
GateCheck = Callable[[User, Program, Screening | None], str | None]
_GATE_CHECKS: dict[str, GateCheck] = {}


def register_gate_check(name: str, check: GateCheck) -> None:
    _GATE_CHECKS[name] = check


def gate_message(patient: User, program: Program, latest: Screening | None) -> str | None:
    """The gate itself, given the patient's latest screening (so pages can batch the reads)."""
    if not program.requires_screening:
        return None
    for check in _GATE_CHECKS.values():
        refusal = check(patient, program, latest)
        if refusal:
            return refusal
    name = patient.display_name
    if latest is None:
        return _(
            "%(name)s has not been screened for the %(title)s yet. Record a screening decision "
            "before they join a group."
        ) % {"name": name, "title": program.title}
    if latest.outcome == Screening.Outcome.INDIVIDUAL_FIRST:
        return _(
            "The latest screening of %(name)s (%(day)s) says individual care first, so they "
            "cannot join a group yet."
        ) % {"name": name, "day": date_format(latest.decided_on, "j F Y")}
    return None
