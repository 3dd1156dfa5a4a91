"""/healthz: 200 only when database, cache, broker and a recent worker heartbeat are all fine."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from recovery.celery import app as celery_app
from recovery.services import record_heartbeat

pytestmark = pytest.mark.django_db


def get_health(client: Client):
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    return response, response.json()


def test_healthy_after_a_heartbeat(client):
    record_heartbeat()
    response, body = get_health(client)
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["failing"] == []
    for name in ("database", "cache", "broker", "worker"):
        assert body["checks"][name]["ok"] is True, (name, body)


def test_healthz_is_never_cached_and_needs_no_sign_in(client):
    record_heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_broker_down_is_reported(client, settings):
    record_heartbeat()
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response, body = get_health(client)
    assert response.status_code == 503
    assert body["status"] == "failing"
    assert "broker" in body["failing"]
    assert body["checks"]["database"]["ok"] is True


def test_stale_heartbeat_names_the_worker(client):
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) - dt.timedelta(hours=1), tick=False):
        record_heartbeat()
    response, body = get_health(client)
    assert response.status_code == 503
    assert body["failing"] == ["worker"]
    assert body["checks"]["worker"]["detail"]["age_seconds"] > settings.HEARTBEAT_MAX_AGE_SECONDS


def test_heartbeat_just_within_the_limit_is_fine(client):
    limit = settings.HEARTBEAT_MAX_AGE_SECONDS
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) - dt.timedelta(seconds=limit - 30)):
        record_heartbeat()
    response, _ = get_health(client)
    assert response.status_code == 200


def test_no_heartbeat_yet(client):
    response, body = get_health(client)
    assert response.status_code == 503
    assert body["failing"] == ["worker"]
    assert "no heartbeat" in body["checks"]["worker"]["detail"]


def test_healthz_is_reachable_over_plain_http_behind_the_proxy(client, settings):
    # The container's health probe calls http://localhost:8000/healthz: no HTTPS redirect.
    settings.SECURE_SSL_REDIRECT = True
    record_heartbeat()
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


def test_beat_schedule_sends_the_heartbeat():
    celery_app.finalize(auto=True)
    entries = [
        entry
        for entry in celery_app.conf.beat_schedule.values()
        if entry["task"] == "recovery.tasks.heartbeat"
    ]
    assert len(entries) == 1
    interval = entries[0]["schedule"]
    interval_seconds = getattr(interval, "run_every", interval)
    if isinstance(interval_seconds, dt.timedelta):
        interval_seconds = interval_seconds.total_seconds()
    assert float(interval_seconds) == settings.HEARTBEAT_INTERVAL_SECONDS
    assert settings.HEARTBEAT_INTERVAL_SECONDS < settings.HEARTBEAT_MAX_AGE_SECONDS
