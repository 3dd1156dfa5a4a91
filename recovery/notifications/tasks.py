"""Thin task wrappers (autodiscovered through recovery.tasks)."""

from __future__ import annotations

from celery import shared_task

from . import dispatch as dispatcher
from . import sending


@shared_task(name="recovery.notifications.dispatch")
def dispatch() -> int:
    return dispatcher.dispatch().created


@shared_task(
    bind=True,
    name="recovery.notifications.send_reminder",
    # Acknowledged only once done: a worker lost mid-send leaves the message to redeliver
    # (and the dispatcher hands out rows whose lease ran out, for brokers that lose it).
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
)
def send_reminder(self, ledger_id: int) -> str:  # type: ignore[no-untyped-def]
    try:
        return sending.deliver(ledger_id)
    except sending.TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            sending.fail(ledger_id, exc)
            return "failed"
        # Short exponential backoff (10 s .. 5 min), well inside the late window.
        raise self.retry(exc=exc, countdown=min(300, 10 * 2 ** self.request.retries)) from exc
