"""The beat schedule is read from a registry each app fills in its AppConfig.ready():
recovery/celery.py names no feature task."""

from __future__ import annotations

import datetime as dt

import pytest
from celery import Celery
from celery.schedules import crontab

from recovery import beat
from recovery.celery import app as celery_app
from recovery.celery import setup_periodic_tasks


@pytest.fixture
def registry():
    """The registry as the apps left it, restored after a test adds to it."""
    saved = dict(beat._entries)
    yield beat
    beat._entries.clear()
    beat._entries.update(saved)


def schedule_of(app: Celery) -> dict[str, dict]:
    setup_periodic_tasks(app)
    return dict(app.conf.beat_schedule)


def test_the_schedule_holds_every_registered_entry():
    celery_app.finalize(auto=True)
    scheduled = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    registered = {entry.task for entry in beat.entries()}
    assert registered <= scheduled
    assert {"recovery.tasks.heartbeat", "recovery.tasks.purge_deleted_accounts"} <= registered


def test_the_nightly_purge_runs_the_core_task():
    [purge] = [e for e in beat.entries() if e.name == "purge deleted accounts"]
    assert purge.task == "recovery.tasks.purge_deleted_accounts"
    assert purge.schedule == crontab(hour=3, minute=30)


def test_an_apps_registered_entry_reaches_the_schedule(registry):
    registry.register("feature job", dt.timedelta(minutes=5), "feature.tasks.job")
    schedule = schedule_of(Celery("t", set_as_current=False))
    [entry] = [e for e in schedule.values() if e["task"] == "feature.tasks.job"]
    assert entry["schedule"] == dt.timedelta(minutes=5)
    # The core's own entries are there too.
    assert any(e["task"] == "recovery.tasks.heartbeat" for e in schedule.values())


def test_registering_again_is_harmless_but_a_clash_fails_loudly(registry):
    registry.register("feature job", 60.0, "feature.tasks.job")
    registry.register("feature job", 60.0, "feature.tasks.job")
    assert [e.name for e in registry.entries()].count("feature job") == 1
    with pytest.raises(ValueError, match="already registered"):
        registry.register("feature job", 60.0, "feature.tasks.other")
