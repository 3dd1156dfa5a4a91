"""Shared fixtures: the three personas of view tests, and service gates for CI."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.builders import WEDNESDAY_NOON_UTC
from tests.factories import ClinicianFactory, PatientFactory

STRICT = os.environ.get("REQUIRE_SERVICES", "") not in ("", "0", "false", "False")


def service_unavailable(reason: str) -> None:
    """Skip locally; fail in CI (REQUIRE_SERVICES=1), which must never pass without it."""
    if STRICT:
        pytest.fail(f"required service unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def clean_cache() -> Iterator[None]:
    # Rate-limit counters and "TOTP code already used" marks live in the cache, which
    # outlives a test (locmem in-process, Redis across runs): start and end clean.
    try:
        cache.clear()
    except RedisConnectionError as exc:
        service_unavailable(f"the Redis cache is not reachable: {exc}")
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    # The production hasher is slow on purpose; these tests hash dozens of passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def at_wednesday() -> Iterator[None]:
    """The clock stopped at 10:00 on day 3 of the test programmes (tests.builders) in New York."""
    with time_machine.travel(WEDNESDAY_NOON_UTC, tick=False):
        yield


@pytest.fixture
def patient(db):
    return PatientFactory(email="pat@example.test", time_zone="America/New_York")


@pytest.fixture
def clinician(db):
    return ClinicianFactory(email="doc@example.test")


@pytest.fixture
def other_clinician(db):
    return ClinicianFactory(email="other-doc@example.test")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def patient_client(patient) -> Client:
    return client_for(patient)


@pytest.fixture
def clinician_client(clinician) -> Client:
    return client_for(clinician)


@pytest.fixture
def other_clinician_client(other_clinician) -> Client:
    return client_for(other_clinician)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        service_unavailable("Debian's chromium is not installed")
    return str(path)


@pytest.fixture(autouse=True)
def forget_frozen_versions() -> Iterator[None]:
    # Published versions' content is cached per process (programs.schedule); a rolled-back
    # test hands its version's pk (and, under a frozen clock, its created_at) out again.
    from programs.schedule import forget_frozen_content

    forget_frozen_content()
    yield
    forget_frozen_content()
