"""Outcomes' reminder kinds (recovery.notifications): a questionnaire that became due, for the
patient; a safety alert, for the care team (essential: it ignores mutes, quiet days and pause).

Neither message carries a score, an answer or a name: email is not a private channel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy

from recovery.access import care_team_of
from recovery.models import PatientProfile, ReminderLedger
from recovery.notifications.localtime import local_instant, local_ranges
from recovery.notifications.registry import Due, ReminderKind

from .models import SafetyAlert
from .schedule import _available, all_slots, answered_dates, match

QUESTIONNAIRE_DUE = "questionnaire_due"
SAFETY_ALERT = "safety_alert"


def questionnaire_due(start: dt.datetime, end: dt.datetime) -> Iterator[Due]:
    """On the local day a questionnaire opens, at REMINDER_NUDGE_HOUR, once per slot."""
    at = dt.time(settings.REMINDER_NUDGE_HOUR)
    base = PatientProfile.objects.filter(user__is_active=True, deletion_requested_at__isnull=True)
    zones = base.values_list("time_zone", flat=True).distinct()
    for r in local_ranges(start, end, zones):
        if not r.lo <= at <= r.hi:
            continue
        instant = local_instant(r.day, at, r.zone)
        if not start <= instant <= end:
            continue
        ids = list(base.filter(time_zone=r.zone).values_list("user_id", flat=True))
        available = _available()
        opening = [s for s in all_slots(ids) if s.opens == r.day and s.instrument in available]
        if not opening:
            continue
        answered = answered_dates({s.patient_id for s in opening}, available, r.day)
        done = match(opening, answered)
        for slot in opening:
            if slot not in done:
                yield Due(
                    slot.patient_id,
                    f"q-{slot.enrolment_id}-{slot.instrument}-{slot.opens.isoformat()}",
                    instant,
                    {"until": slot.closes.isoformat()},  # written out in the reader's language
                )


def _alert_dues(alerts: list[SafetyAlert]) -> Iterator[Due]:
    for alert in alerts:
        url = reverse("clinicians:patient_review", args=[alert.patient_id]) + "#alerts"
        for clinician_id in care_team_of(alert.patient).values_list("pk", flat=True):
            yield Due(clinician_id, f"alert-{alert.pk}", alert.opened_at, {"url": url})


def safety_alert_due(start: dt.datetime, end: dt.datetime) -> Iterator[Due]:
    """The safety net: alerts opened in the window reach their care team even when the
    request that opened them could not queue the email (`notify` below does it at once)."""
    alerts = list(
        SafetyAlert.objects.filter(opened_at__gte=start, opened_at__lte=end, acknowledged_at=None)
        .select_related("patient")
    )
    return _alert_dues(alerts)


def notify(alert: SafetyAlert) -> int:
    """Write the care team's ledger rows for `alert` now, in the caller's transaction, and
    hand them to the worker once it commits. A broker that is down loses nothing: the rows
    stay queued and the dispatcher's lease sweep sends them. Returns the rows written."""
    from recovery.notifications.tasks import send_reminder

    rows = [
        ReminderLedger(recipient_id=d.recipient_id, kind=SAFETY_ALERT, slot=d.slot,
                       due_at=d.due_at, context=d.context)
        for d in _alert_dues([alert])
    ]
    ReminderLedger.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(ReminderLedger.objects.filter(kind=SAFETY_ALERT, slot=f"alert-{alert.pk}")
               .filter(status=ReminderLedger.Status.QUEUED).values_list("pk", flat=True))

    def enqueue() -> None:
        for pk in ids:
            try:
                send_reminder.delay(pk)
            except Exception:  # noqa: BLE001 - the row stays queued; the sweep sends it
                return

    transaction.on_commit(enqueue)
    return len(rows)


def register() -> None:
    from recovery.notifications import registry

    registry.register(ReminderKind(
        name=QUESTIONNAIRE_DUE, label=gettext_lazy("A questionnaire is due"), audience="patient",
        due=questionnaire_due, title=gettext_lazy("A short questionnaire is waiting for you"), url="/today/",
    ))
    registry.register(ReminderKind(
        name=SAFETY_ALERT, label=gettext_lazy("Safety alerts of your patients (always sent)"),
        audience="clinician", due=safety_alert_due,
        title=gettext_lazy("Safety alert: please review today"), url="/clinic/", essential=True,
    ))
