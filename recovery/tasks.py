"""Thin, idempotent task wrappers around plain functions."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import deletion, services


@shared_task(name="recovery.tasks.heartbeat")
def heartbeat() -> str:
    return services.record_heartbeat().isoformat()


@shared_task(name="recovery.tasks.send_email", autoretry_for=(OSError,), max_retries=5,
             retry_backoff=True)
def send_email(
    subject: str, body: str, from_email: str, to: list[str], html: str | None = None
) -> None:
    services.deliver_email(subject, body, from_email, to, html)


@shared_task(name="recovery.tasks.purge_deleted_accounts")
def purge_deleted_accounts() -> int:
    """Delete the data of accounts whose 14-day grace period has ended (safe to re-run)."""
    return deletion.purge_due_accounts(timezone.now())
