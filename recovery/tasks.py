"""Thin, idempotent task wrappers around plain functions."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="recovery.tasks.heartbeat")
def heartbeat() -> str:
    return services.record_heartbeat().isoformat()


@shared_task(name="recovery.tasks.send_email", autoretry_for=(OSError,), max_retries=5,
             retry_backoff=True)
def send_email(
    subject: str, body: str, from_email: str, to: list[str], html: str | None = None
) -> None:
    services.deliver_email(subject, body, from_email, to, html)
