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


@shared_task(name="recovery.tasks.build_export", acks_late=True, reject_on_worker_lost=True)
def build_export(job_id: int) -> str:
    """Build one export job's file (recovery.export_jobs.run: a done job is not rebuilt)."""
    from . import export_jobs

    return export_jobs.run(job_id)


@shared_task(name="recovery.tasks.sweep_exports")
def sweep_exports() -> str:
    """Delete expired export files; hand out again jobs whose task was lost."""
    from . import export_jobs

    expired, requeued = export_jobs.sweep(timezone.now())
    return f"{expired} expired, {requeued} requeued"
