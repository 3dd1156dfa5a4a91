"""Sending one ledger row: claim it, check it is still wanted, deliver it, mark it.

Redelivery-safe: the claim is one conditional UPDATE, so two copies of the same task (a
redelivered message, a row handed out again by the dispatcher) never both send; a row found
already sent, skipped or claimed by a live worker is left alone. What at-least-once delivery
cannot rule out: a worker killed after the mail server accepted a message and before the row
was marked sent sends that one message again when the row is retried (at most one duplicate
per killed task).
"""

from __future__ import annotations

import datetime as dt
import smtplib

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ..models import User
from . import emails, registry
from .dispatch import late_window, send_lease
from .models import Notification, NotificationPreference, ReminderLedger

Status = ReminderLedger.Status
# Worth another try: the network, the mail server saying "later".
TRANSIENT = (OSError, smtplib.SMTPException)


def claim(ledger_id: int, now: dt.datetime) -> bool:
    return bool(
        ReminderLedger.objects.filter(pk=ledger_id)
        .filter(Q(status=Status.QUEUED) | Q(status=Status.SENDING, touched_at__lt=now - send_lease()))
        .update(status=Status.SENDING, touched_at=now, attempts=F("attempts") + 1)
    )


def skip_reason(row: ReminderLedger, kind: registry.ReminderKind | None, now: dt.datetime) -> str:
    """Why this reminder must not go now, or "" (checked at send time: preferences may have
    changed since the dispatcher wrote the row)."""
    if kind is None:
        return f"kind {row.kind!r} is no longer registered"
    if now - row.due_at > late_window() and not kind.essential:
        return "too late: more than the late window after its time"
    user: User = row.recipient
    if not user.is_active:
        return "account inactive"
    profile = getattr(user, "patient_profile", None) if user.is_patient else None
    if profile is not None and profile.deletion_requested_at is not None:
        return "account deletion requested"
    return preference_reason(row, kind)


def preference_reason(row: ReminderLedger, kind: registry.ReminderKind) -> str:
    prefs = NotificationPreference.for_user(row.recipient_id)
    if prefs.paused:
        return "paused by the recipient"
    if kind.name in prefs.muted_kinds:
        return "kind turned off by the recipient"
    if row.recipient.local_now(row.due_at).weekday() in prefs.quiet_weekdays:
        return "quiet day of the recipient"
    return ""


def deliver(ledger_id: int) -> str:
    """Send one reminder; returns what happened. Raises TRANSIENT errors after releasing the
    row, so the task can retry it."""
    now = timezone.now()
    if not claim(ledger_id, now):
        return "not claimed"  # done, skipped, or being sent by a live worker
    row = ReminderLedger.objects.select_related("recipient", "recipient__clinic").get(pk=ledger_id)
    kind = registry.get(row.kind)
    reason = skip_reason(row, kind, now)
    in_app_only = False
    if reason and kind is not None and kind.essential and not reason.startswith("too late"):
        in_app_only = True  # an essential message still reaches the bell
    elif reason:
        return finish(row, Status.SKIPPED, reason)
    assert kind is not None
    message = emails.render(row, kind)
    Notification.objects.get_or_create(
        ledger=row,
        defaults={"recipient_id": row.recipient_id, "kind": kind.name, "title": message.title,
                  "body": message.text, "url": message.url, "created_at": now},
    )
    if in_app_only:
        return finish(row, Status.SENT, f"in-app only: {reason}")
    try:
        emails.build(row, kind, message).send()
    except TRANSIENT:
        release(row.pk)
        raise
    return finish(row, Status.SENT, "")


def finish(row: ReminderLedger, status: str, reason: str) -> str:
    now = timezone.now()
    ReminderLedger.objects.filter(pk=row.pk, status=Status.SENDING).update(
        status=status, reason=reason[:200], touched_at=now,
        sent_at=now if status == Status.SENT else None,
    )
    return status


def release(ledger_id: int) -> None:
    """Give the row back after a transient failure, for the task's retry."""
    with transaction.atomic():
        ReminderLedger.objects.filter(pk=ledger_id, status=Status.SENDING).update(
            status=Status.QUEUED, touched_at=timezone.now()
        )


def fail(ledger_id: int, error: BaseException) -> None:
    """The last retry failed too: recorded, with the error, never silently dropped."""
    ReminderLedger.objects.filter(pk=ledger_id).exclude(status=Status.SENT).update(
        status=Status.FAILED, reason=f"email failed: {error!r}"[:200], touched_at=timezone.now()
    )
