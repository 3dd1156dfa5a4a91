"""Fixtures for reminders: an enrolled patient, eager sending, and running the dispatcher
as beat would (its on-commit enqueue included)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from recovery.celery import app as celery_app
from recovery.models import ReminderLedger, User
from recovery.notifications.dispatch import DispatchReport, dispatch
from tests.factories import ClinicianFactory, PatientFactory, enrol, published_version


@pytest.fixture
def celery_eager() -> Iterator[None]:
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


@pytest.fixture
def run_dispatcher(django_capture_on_commit_callbacks, celery_eager):
    """dispatch(now), with the send tasks it enqueues run in-process."""

    def run(now: dt.datetime | None = None) -> DispatchReport:
        with django_capture_on_commit_callbacks(execute=True):
            return dispatch(now)

    return run


@pytest.fixture
def version(db):
    return published_version()


@pytest.fixture
def doc(db) -> User:
    return ClinicianFactory(email="care@example.test")


@pytest.fixture
def make_patient(db, version, doc):
    def make(zone: str = "America/New_York", at: dt.time | None = dt.time(9, 0),
             start: dt.date = dt.date(2025, 1, 1), email: str | None = None) -> User:
        kwargs = {"email": email} if email else {}
        patient = PatientFactory(time_zone=zone, **kwargs)
        profile = patient.patient_profile
        profile.reminder_time = at
        profile.display_name = "Robin"
        profile.save()
        enrol(patient, doc, version, start=start)
        return patient

    return make


def ledger(**filters) -> list[ReminderLedger]:
    """Ledger rows, oldest first; the daily practice reminder's unless `kind` says."""
    filters.setdefault("kind", "daily_practice")
    return list(ReminderLedger.objects.filter(**filters).order_by("due_at"))


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def broker_reachable(broker_url: str) -> None:
    from kombu import Connection

    from tests.conftest import service_unavailable

    try:
        with Connection(broker_url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        service_unavailable(f"broker {broker_url} is not reachable: {exc}")
