"""The dispatcher beat runs every minute: find what is due, write it to the ledger, enqueue.

Set-based throughout: each kind answers for the whole window with a few queries (never one
per patient), the ledger rows go in with one bulk insert whose unique key makes a second run,
a restarted beat or an overlapping run harmless, and only the rows this run created are
enqueued, by id, once the transaction has committed. No task is scheduled for later (no ETA):
a reminder is found when it is due, or, more than the late window after, recorded as skipped.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import WorkerHeartbeat
from . import registry
from .models import ReminderLedger

log = logging.getLogger(__name__)

# The dispatcher's cursor (the end of its last window) is kept as a heartbeat row: it also
# tells an operator when the dispatcher last ran.
CURSOR = "reminder-dispatcher"
BATCH_SIZE = 2000
Status = ReminderLedger.Status


def late_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.REMINDER_LATE_WINDOW_MINUTES)


def send_lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.REMINDER_SEND_LEASE_SECONDS)


@dataclass
class DispatchReport:
    window: tuple[dt.datetime, dt.datetime]
    found: int = 0
    created: int = 0
    skipped_late: int = 0
    requeued: int = 0
    enqueued: list[int] = field(default_factory=list)


def window_for(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[now - late window, now], reaching back to the last run after an outage (at most
    REMINDER_CATCH_UP_HOURS) so what was missed is recorded as skipped, not silently lost."""
    start = now - late_window()
    cursor = WorkerHeartbeat.objects.filter(name=CURSOR).values_list("last_seen", flat=True)
    last = cursor.first()
    if last is not None and last < start:
        start = max(last, now - dt.timedelta(hours=settings.REMINDER_CATCH_UP_HOURS))
    return start, now


def collect(start: dt.datetime, end: dt.datetime, now: dt.datetime, batch: uuid.UUID
            ) -> Iterable[ReminderLedger]:
    too_late_before = now - late_window()
    for kind in registry.kinds():
        for due in kind.due(start, end):
            if not start <= due.due_at <= end:
                continue  # a kind's superset; the window decides
            late = due.due_at < too_late_before
            yield ReminderLedger(
                recipient_id=due.recipient_id,
                kind=kind.name,
                slot=due.slot,
                due_at=due.due_at,
                context=dict(due.context),
                status=Status.SKIPPED if late else Status.QUEUED,
                reason="too late: the dispatcher was not running at its time" if late else "",
                created_at=now,
                touched_at=now,
                batch=batch,
            )


def dispatch(now: dt.datetime | None = None) -> DispatchReport:
    """One dispatcher run. Safe to run twice for the same minute, or concurrently."""
    now = now or timezone.now()
    start, end = window_for(now)
    report = DispatchReport(window=(start, end))
    batch = uuid.uuid4()
    rows = list(collect(start, end, now, batch))
    report.found = len(rows)
    with transaction.atomic():
        # ignore_conflicts: a row already in the ledger (an earlier run) is left as it is.
        ReminderLedger.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=True)
        new = ReminderLedger.objects.filter(status=Status.QUEUED, touched_at=now, batch=batch)
        report.enqueued = list(new.values_list("id", flat=True))
        report.created = len(report.enqueued)
        report.skipped_late = sweep_too_late(now)
        requeued = stalled(now)
        report.requeued = len(requeued)
        report.enqueued += requeued
        WorkerHeartbeat.objects.update_or_create(name=CURSOR, defaults={"last_seen": now})
        ids = list(report.enqueued)
        transaction.on_commit(lambda: enqueue(ids))
    if report.created or report.requeued or report.skipped_late:
        log.info("reminders: %s new, %s handed out again, %s too late", report.created,
                 report.requeued, report.skipped_late)
    return report


def essential_kinds() -> list[str]:
    """Kinds never dropped for being late (a safety alert is worth an email an hour late)."""
    return [k.name for k in registry.kinds() if k.essential]


def stalled(now: dt.datetime) -> list[int]:
    """Rows nobody is working on: queued but never picked up (a broker that lost the message)
    or claimed by a worker that died (its lease ran out). Handed out again; the send task's
    claim makes a second copy of a message harmless."""
    stale = now - send_lease()
    ids = list(
        ReminderLedger.objects.filter(
            Q(status=Status.QUEUED) | Q(status=Status.SENDING),
            Q(due_at__gte=now - late_window()) | Q(kind__in=essential_kinds()),
            touched_at__lt=stale,
        ).values_list("id", flat=True)[:BATCH_SIZE]
    )
    if ids:
        # Back to queued, so the send task's claim takes it at once.
        # (Still stale: a worker that claimed one meanwhile keeps it.)
        ReminderLedger.objects.filter(id__in=ids, touched_at__lt=stale).update(
            status=Status.QUEUED, touched_at=now
        )
    return ids


def sweep_too_late(now: dt.datetime) -> int:
    """Rows that were never sent and whose time is past the late window: recorded as skipped,
    never sent at the wrong hour."""
    return ReminderLedger.objects.filter(
        Q(status=Status.QUEUED) | Q(status=Status.SENDING),
        touched_at__lt=now - send_lease(),
        due_at__lt=now - late_window(),
    ).exclude(kind__in=essential_kinds()).update(status=Status.SKIPPED, reason="too late: not sent within the late window",
             touched_at=now)


def enqueue(ids: list[int]) -> None:
    from .tasks import send_reminder

    for ledger_id in ids:
        send_reminder.delay(ledger_id)
