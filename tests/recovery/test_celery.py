"""A real Celery worker, on the configured broker, runs what a request enqueued.

Embedded (no REDIS_URL): Celery's filesystem broker under DATA_DIR. With REDIS_URL: Redis,
as in CI and production. The worker runs in a thread of this process, so the mail it sends
through the locmem backend lands in mail.outbox, and it reads the committed rows of the test
database (`transactional_db`; SQLite uses a file test database for this).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core import mail
from django.db import connections
from django.test import Client
from kombu import Connection

from recovery.celery import app as celery_app
from recovery.models import WorkerHeartbeat
from recovery.tasks import heartbeat
from tests.conftest import service_unavailable

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 20


def wait_for(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"the worker did not {what} within {WAIT_SECONDS} s")


def _close_worker_connections(**kwargs: object) -> None:
    # Runs in the worker thread after each task: its database connection must not outlive
    # the test (PostgreSQL would refuse to drop the test database).
    connections.close_all()


@pytest.fixture
def worker(transactional_db) -> Iterator[object]:
    broker_url = settings.CELERY_BROKER_URL
    if not broker_url.startswith("filesystem"):
        try:
            with Connection(broker_url, connect_timeout=2) as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:
            service_unavailable(f"broker {broker_url} is not reachable: {exc}")
    assert celery_app.conf.task_always_eager is False
    with celery_app.connection_for_write() as conn:
        # Leftovers of earlier runs would only slow the worker down.
        conn.default_channel.queue_purge(celery_app.conf.task_default_queue)
    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30
        ) as running:
            yield running
    finally:
        task_postrun.disconnect(_close_worker_connections)


def test_worker_delivers_the_verification_email_of_a_sign_up(worker):
    email = "worker.mail@example.test"
    response = Client().post(
        "/accounts/signup/",
        {"email": email, "password1": "Healing-slowly-2025", "password2": "Healing-slowly-2025",
         "display_name": "New Patient", "time_zone": "UTC"},
    )
    assert response.status_code == 302
    # The request returned before the mail was sent: delivery is the worker's job.
    wait_for(lambda: any(email in m.to for m in mail.outbox), "deliver the email")
    [message] = [m for m in mail.outbox if email in m.to]
    assert "/accounts/confirm-email/" in message.body


def test_worker_writes_the_heartbeat(worker):
    WorkerHeartbeat.objects.all().delete()
    heartbeat.delay()
    wait_for(lambda: WorkerHeartbeat.objects.filter(name="worker").exists(), "write a heartbeat")
    client = Client()
    wait_for(lambda: client.get("/healthz").status_code == 200, "make /healthz healthy")
