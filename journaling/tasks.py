"""Thin, idempotent Celery wrappers around journaling's plain functions."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import deletion


@shared_task(name="journaling.tasks.purge_deleted_accounts")
def purge_deleted_accounts() -> int:
    """Delete the data of accounts whose 14-day grace period has ended (safe to re-run)."""
    return deletion.purge_due_accounts(timezone.now())
