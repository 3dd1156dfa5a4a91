"""Answering a questionnaire: drafts kept between visits, an idempotent submission, and the
safety pathway (a raised safety flag opens an alert in the same request; the care team's email
is queued best-effort, so a broker failure never loses the alert or the patient's page)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from recovery.models import User

from .models import InstrumentVersion, QuestionnaireResponse, SafetyAlert
from .scoring import rule_for, score

log = logging.getLogger(__name__)

Answers = list[int | None]


@dataclass(frozen=True)
class Submission:
    response: QuestionnaireResponse
    alert: SafetyAlert | None
    created: bool  # False when this was a retry of a submission already saved


def draft_for(patient: User, version: InstrumentVersion) -> QuestionnaireResponse | None:
    return QuestionnaireResponse.objects.filter(
        patient=patient, version=version, status=QuestionnaireResponse.Status.DRAFT
    ).first()


def check_answers(version: InstrumentVersion, answers: Answers, extra: dict[str, Any]) -> None:
    """ValidationError (keyed item-N / extra-KEY) for a value that no option of its item has."""
    errors: dict[str, str] = {}
    if len(answers) != len(version.items):
        raise ValidationError(_("This questionnaire has %(count)s questions.") % {"count": len(version.items)})
    for n, (item, value) in enumerate(zip(version.items, answers, strict=True), start=1):
        if value is not None and value not in {o["value"] for o in item["options"]}:
            errors[f"item-{n}"] = _("Choose one of the answers shown.")
    for question in version.extra_questions:
        value = extra.get(question["key"])
        if value is not None and value not in {o["value"] for o in question["options"]}:
            errors[f"extra-{question['key']}"] = _("Choose one of the answers shown.")
    if errors:
        raise ValidationError(errors)


def save_draft(
    patient: User, version: InstrumentVersion, answers: Answers, extra: dict[str, Any],
    local_date: dt.date,
) -> QuestionnaireResponse:
    """Keep a half-answered questionnaire: the patient's one draft of this version, updated."""
    check_answers(version, answers, extra)
    with transaction.atomic():
        # update_or_create locks the draft; two tabs saving at once update the same row.
        draft, _ = QuestionnaireResponse.objects.update_or_create(
            patient=patient, version=version, status=QuestionnaireResponse.Status.DRAFT,
            defaults={"answers": answers, "extra_answers": extra, "local_date": local_date},
        )
    return draft


def submit(
    patient: User, version: InstrumentVersion, answers: Answers, extra: dict[str, Any],
    local_date: dt.date, client_id: uuid.UUID,
) -> Submission:
    """Score and submit; the patient's draft (if any) becomes the submitted response.

    Idempotent by `client_id` (sent with the page): a retried or double-tapped submission
    returns the row already saved, and never opens a second alert. Every item must be
    answered here (the missing-item rules in outcomes.scoring are for data from elsewhere);
    ValidationError names the unanswered ones. The care team's email is queued after the
    commit, best-effort: see notify_care_team.
    """
    existing = QuestionnaireResponse.objects.filter(patient=patient, client_id=client_id).first()
    if existing is not None and existing.status == QuestionnaireResponse.Status.SUBMITTED:
        return Submission(existing, existing.safety_alerts.filter(acknowledged_at=None).first(), False)
    check_answers(version, answers, extra)
    unanswered = [str(n) for n, value in enumerate(answers, start=1) if value is None]
    if unanswered:
        raise ValidationError(
            {f"item-{n}": _("Please answer this question.") for n in unanswered}
        )
    result = score(version.code, answers)
    try:
        with transaction.atomic():
            response = (
                QuestionnaireResponse.objects.select_for_update()
                .filter(patient=patient, version=version, status=QuestionnaireResponse.Status.DRAFT)
                .first()
            ) or QuestionnaireResponse(patient=patient, version=version)
            response.answers, response.extra_answers = answers, extra
            response.local_date, response.client_id = local_date, client_id
            response.status = QuestionnaireResponse.Status.SUBMITTED
            response.submitted_at = timezone.now()
            response.apply_score(result)
            response.save()
            alert = open_safety_alert(response)
    except IntegrityError:
        # A concurrent request with the same client_id won the race: return its row.
        winner = QuestionnaireResponse.objects.get(patient=patient, client_id=client_id)
        return Submission(winner, winner.safety_alerts.filter(acknowledged_at=None).first(), False)
    if alert is not None:
        notify_care_team(alert)  # outside the transaction: the alert is already committed
    return Submission(response, alert, True)


def open_safety_alert(response: QuestionnaireResponse) -> SafetyAlert | None:
    """The open alert of a response whose safety flag is raised (created once), else None."""
    rule_item = rule_for(response.version.code).safety_item
    if not response.safety or rule_item is None:
        return None
    value = response.answers[rule_item - 1]
    option = next(
        (o["label"] for o in response.version.items[rule_item - 1]["options"] if o["value"] == value),
        str(value),
    )
    alert, _ = SafetyAlert.objects.get_or_create(
        response=response, acknowledged_at=None,
        defaults={
            "patient": response.patient,
            "reason": f"{response.version.code} item {rule_item} answered {value} ({option}).",
        },
    )
    return alert


def notify_care_team(alert: SafetyAlert) -> None:
    """Tell the care team and the clinic; never raises.

    The care team's messages go through the reminder ledger as the essential `safety_alert`
    kind (outcomes.reminders.notify): a row per clinician written now, handed to the worker
    after the commit, and sent later by the dispatcher's sweep if the broker is down, never
    dropped for being late. The clinic's contact address gets a plain email, queued
    best-effort. Neither names the patient or an answer: they link to the patient's page.
    """
    from .reminders import notify

    try:
        notify(alert)
    except Exception:  # noqa: BLE001 - the alert row is saved; the dispatcher's pass retries
        log.exception("Safety alert %s: the care team's reminders could not be written", alert.pk)
    contact = alert.patient.clinic.contact_email
    if not contact:
        return
    link = settings.SITE_URL.rstrip("/") + reverse(
        "clinicians:patient_review", args=[alert.patient_id]
    ) + "#alerts"
    body = (
        _("A questionnaire answer from one of your patients needs a clinician's review today.")
        + "\n\n" + _("Open the patient's page (sign-in required): %(link)s") % {"link": link}
        + "\n"
    )
    subject = f"[{settings.SITE_NAME}] {_('Safety alert: please review today')}"
    transaction.on_commit(lambda: queue_email(alert.pk, subject, body, [contact]))


def queue_email(alert_id: int, subject: str, body: str, recipients: list[str]) -> bool:
    """Hand the email to the broker; False (logged) when the broker refuses or is down."""
    from recovery.tasks import send_email

    try:
        send_email.delay(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:  # noqa: BLE001 - whatever the broker raises, the alert itself is saved
        log.exception("Safety alert %s: the care team's email could not be queued", alert_id)
        return False
    return True
