"""Reminders through a real broker and real workers (Redis when REDIS_URL is set, as in CI;
the filesystem broker otherwise).

The fault test kills a worker subprocess with SIGKILL in the middle of sending and restarts
it: no reminder is lost, the ledger keeps exactly one row per reminder, and the duplicate
emails seen at the "SMTP" boundary are counted and reported. At-least-once delivery allows at
most one duplicate per killed task (the message the mail server accepted just before the kill,
whose row could not yet be marked sent); that is the known limit, and this test holds it.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from recovery.celery import app as celery_app
from recovery.models import ReminderLedger
from recovery.notifications.dispatch import dispatch
from tests.factories import ClinicianFactory, PatientFactory, enrol, published_version
from tests.recovery.test_celery import worker  # noqa: F401  (the in-thread worker fixture)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
Status = ReminderLedger.Status


def wait_for(condition: Callable[[], object], what: str, seconds: float = 25,
             every: Callable[[], object] | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if every is not None:
            every()
        time.sleep(0.3)
    pytest.fail(f"{what}: not within {seconds} s")


def patients_due_now(count: int) -> list:
    """Patients in UTC whose daily reminder time is the current minute: due now."""
    version = published_version()
    doc = ClinicianFactory(email="care@example.test")
    at = timezone.now().time().replace(second=0, microsecond=0)
    patients = []
    for i in range(count):
        patient = PatientFactory(email=f"fault{i}@example.test", time_zone="UTC")
        patient.patient_profile.reminder_time = at
        patient.patient_profile.save()
        enrol(patient, doc, version, start=dt.date(2020, 1, 1))
        patients.append(patient)
    return patients


def sent(ids: list[int]) -> bool:
    return ReminderLedger.objects.filter(pk__in=ids, status=Status.SENT).count() == len(ids)


def test_a_real_worker_sends_what_the_dispatcher_found(worker):  # noqa: F811
    [patient] = patients_due_now(1)
    report = dispatch()
    assert report.created == 1
    wait_for(lambda: sent(report.enqueued), "the worker sends the reminder")
    assert [m.to for m in mail.outbox if m.subject == "Your practice for today"] == [
        [patient.email]]
    assert dispatch().created == 0  # beat's next run finds nothing new


# --- The fault test: SIGKILL mid-send ---------------------------------------------------------


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "1",
        "EMAIL_BACKEND": "tests.notifications.recording_backend.RecordingBackend",
        "REMINDER_TEST_MAIL_LOG": str(log),
        "REMINDER_TEST_MAIL_SLEEP": "1.5",
        "REMINDER_SEND_LEASE_SECONDS": "2",
        "CELERY_VISIBILITY_TIMEOUT": "3",
    }
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "recovery", "worker", "--pool=solo",
         "--loglevel=WARNING", "--without-mingle", "--without-gossip", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)


def test_a_worker_killed_mid_send_loses_nothing_and_duplicates_at_most_one(
    tmp_path, settings, capsys
):
    settings.REMINDER_SEND_LEASE_SECONDS = 2
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("filesystem"):
        from tests.notifications.conftest import broker_reachable

        broker_reachable(broker)
    assert celery_app.conf.task_always_eager is False
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(celery_app.conf.task_default_queue)
    log = tmp_path / "smtp.log"
    log.touch()
    patients = patients_due_now(3)
    first = start_worker(log)
    try:
        report = dispatch()
        assert report.created == 3
        # The first email reached the "SMTP server"; its task is still inside send().
        wait_for(lambda: log.read_text().strip(), "the worker starts sending")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop(first)
    killed_mid_send = 1
    second = start_worker(log)
    try:
        # Beat keeps running: the dispatcher hands out the row whose worker died once its
        # lease (2 s here) has run out, whether or not the broker redelivers the message.
        wait_for(lambda: sent(report.enqueued), "every reminder is sent after the restart",
                 every=dispatch)
    finally:
        stop(second)
    rows = ReminderLedger.objects.filter(kind="daily_practice")
    assert rows.count() == len(patients)  # exactly one ledger row per reminder
    assert all(r.status == Status.SENT for r in rows)
    deliveries = Counter(line.split()[0] for line in log.read_text().splitlines())
    assert set(deliveries) == {str(pk) for pk in report.enqueued}  # none lost
    duplicates = sum(deliveries.values()) - len(deliveries)
    with capsys.disabled():
        print(f"\n[fault test] broker={broker.split(':')[0]} reminders={len(deliveries)} "
              f"killed tasks={killed_mid_send} duplicate emails at the SMTP boundary={duplicates}")
    # At-least-once delivery: at most one duplicate per task killed after the mail server
    # accepted its message and before its row was marked sent.
    assert duplicates <= killed_mid_send
