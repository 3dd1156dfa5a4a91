"""The PHQ-9's part in the screening before a group (seed 003: severe depression or suicidal
thoughts mean individual care first), registered with programs.screening at ready() time.

A PHQ-9 in the severe band, or with item 9 (thoughts of being better off dead or of self-harm)
above 0, holds the gate until a clinician records a screening decision after it; the decision
then stands (a clinician may clear the patient having seen it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from programs.models import Program, Screening
from recovery.models import User

from .models import QuestionnaireResponse

PHQ9 = "PHQ-9"
SEVERE = "Severe"
SAFETY_ITEM = 9


@dataclass(frozen=True)
class Phq9Summary:
    """What the cohort page's screening form shows of the latest PHQ-9."""

    response: QuestionnaireResponse
    score: float | None
    band: str
    item9: int | None

    @property
    def holds_gate(self) -> bool:
        return self.band == SEVERE or (self.item9 or 0) > 0

    @property
    def suggested_outcome(self) -> str:
        if self.holds_gate:
            return Screening.Outcome.INDIVIDUAL_FIRST
        return Screening.Outcome.CLEARED


def _submitted_phq9s() -> QuerySet[QuestionnaireResponse]:
    return QuestionnaireResponse.objects.filter(
        version__instrument__code=PHQ9, status=QuestionnaireResponse.Status.SUBMITTED
    ).order_by("-submitted_at", "-pk")


def latest_phq9(patient: User) -> Phq9Summary | None:
    response = _submitted_phq9s().filter(patient=patient).first()
    return None if response is None else _summary(response)


def latest_phq9s(patients: Iterable[User]) -> dict[int, Phq9Summary]:
    """{patient id: latest PHQ-9} for a page's list of patients, in one query."""
    out: dict[int, Phq9Summary] = {}
    for response in _submitted_phq9s().filter(patient__in=list(patients)):
        if response.patient_id not in out:
            out[response.patient_id] = _summary(response)
    return out


def _summary(response: QuestionnaireResponse) -> Phq9Summary:
    answers = response.answers or []
    item9 = answers[SAFETY_ITEM - 1] if len(answers) >= SAFETY_ITEM else None
    return Phq9Summary(response, response.score, response.band, item9 if isinstance(item9, int) else None)


def phq9_gate(patient: User, program: Program, latest: Screening | None) -> str | None:
    """Why the latest PHQ-9 stops `patient` joining a group of `program` yet, or None."""
    summary = latest_phq9(patient)
    if summary is None or not summary.holds_gate:
        return None
    submitted = summary.response.submitted_at
    if latest is not None and submitted is not None and latest.created_at >= submitted:
        return None  # a clinician decided having seen it
    figures = {"patient": patient.display_name,
               "day": date_format(summary.response.local_date, "j F Y")}
    if summary.band == SEVERE:
        return _("The latest PHQ-9 of %(patient)s (%(day)s) suggests severe depression: "
                 "individual care first, until a clinician records a screening decision.") % figures
    return _("The latest PHQ-9 of %(patient)s (%(day)s) suggests thoughts of self-harm: "
             "individual care first, until a clinician records a screening decision.") % figures
