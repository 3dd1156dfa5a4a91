"""Sign-in without Redis (issue 11, item 3).

Defect: with Redis down, sign-in, sign-up and staff sign-in answered 500 from the rate
limiter's cache, and a patient not signed in could not reach the crisis resources.
Redis here is pointed at a dead port (nothing listens on 127.0.0.1:1).
"""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache
from django.test import Client

from recovery.models import Clinic
from recovery.services import record_heartbeat
from tests.factories import PASSWORD, ClinicianFactory, PatientFactory
from tests.recovery.conftest import sign_in

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "recovery.cache.FailoverRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"RETRY_SECONDS": 30, "WARN_SECONDS": 300},
        }
    }
    yield
    cache.clear()


def test_patient_signs_in_while_redis_is_down(redis_down, client: Client):
    PatientFactory(email="calm@example.test")
    response = sign_in(client, "calm@example.test", PASSWORD)
    assert response.status_code == 302, response.content[:500]
    assert client.get("/").status_code == 302  # signed in: sent on to Today


def test_sign_up_page_and_form_work_while_redis_is_down(redis_down, client: Client):
    assert client.get("/accounts/signup/").status_code == 200
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.test", "password1": "a quiet walk by the river",
         "password2": "a quiet walk by the river", "display_name": "New Patient",
         "time_zone": "Europe/Paris"},
    )
    assert response.status_code == 302


def test_staff_sign_in_works_while_redis_is_down(redis_down, client: Client):
    ClinicianFactory(email="doc-down@example.test")
    response = sign_in(client, "doc-down@example.test", PASSWORD)
    # On to the second factor, not a 500.
    assert response.status_code == 302
    assert "/accounts/2fa/authenticate/" in response["Location"]


def test_rate_limits_still_count_in_local_memory(redis_down, client: Client):
    PatientFactory(email="tries@example.test")
    for _ in range(6):
        sign_in(client, "tries@example.test", "wrong password!")
    blocked = sign_in(client, "tries@example.test", PASSWORD)
    assert "Too many failed login attempts" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_failover_is_logged_once_and_shown_in_healthz(redis_down, client: Client, caplog):
    record_heartbeat()
    with caplog.at_level(logging.WARNING, logger="recovery.cache"):
        cache.set("a", 1)
        cache.get("a")
        cache.get("b")
        body = client.get("/healthz").json()
    warnings = [r for r in caplog.records if r.name == "recovery.cache"]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "local memory" in warnings[0].getMessage()
    cache_check = body["checks"]["cache"]
    assert cache_check["ok"] is True
    assert cache_check["detail"]["fallback"] is True
    assert cache_check["detail"]["backend"] == "local-memory"
    assert "cache" in body["degraded"]


def test_values_survive_in_the_fallback(redis_down):
    cache.set("mark", "used", 60)
    assert cache.get("mark") == "used"
    assert cache.add("mark", "again") is False


def test_crisis_page_is_public_and_shows_the_default_clinic(client: Client):
    clinic = Clinic.default()
    clinic.crisis_resources = "Call the Clinic Line: 555-0100, any hour."
    clinic.save()
    response = client.get("/crisis/")
    assert response.status_code == 200
    assert b"555-0100" in response.content


def test_crisis_page_shows_the_patients_own_clinic(client: Client):
    own = Clinic.objects.create(name="North", slug="north", crisis_resources="North line 555-0199")
    patient = PatientFactory(email="north@example.test", clinic=own)
    client.force_login(patient)
    response = client.get("/crisis/")
    assert b"555-0199" in response.content


def test_sign_in_page_links_to_crisis_resources(redis_down, client: Client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'href="/crisis/"' in response.content
