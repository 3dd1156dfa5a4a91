"""Settings come from the environment: embedded (SQLite, filesystem broker) or PostgreSQL/Redis.

Each case imports the settings in a fresh interpreter with a controlled environment, because
settings are read once per process.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings

BASE_DIR = Path(django_settings.BASE_DIR)

PRINT_SETTINGS = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"],
    "name": str(db["NAME"]),
    "health_checks": db.get("CONN_HEALTH_CHECKS"),
    "test_name": db.get("TEST", {}).get("NAME"),
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "broker": settings.CELERY_BROKER_URL,
    "broker_options": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "debug": settings.DEBUG,
}))
"""


def run_python(tmp_path: Path, args: list[str], **env: str) -> subprocess.CompletedProcess:
    # Only what we pass: no DEBUG from pytest-env, no developer .env file.
    base = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "recovery.settings",
        "ENV_FILE": str(tmp_path / "no.env"),
        "DATA_DIR": str(tmp_path / "data"),
    }
    base.update(env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def read_settings(tmp_path: Path, **env: str) -> dict:
    result = run_python(tmp_path, ["-c", "import django; django.setup()\n" + PRINT_SETTINGS], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_without_service_urls(tmp_path):
    found = read_settings(tmp_path, DEBUG="1")
    data = tmp_path / "data"
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"] == str(data / "db.sqlite3")
    # A file test database, so a worker thread in the tests sees committed rows.
    assert found["test_name"] == str(data / "test.sqlite3")
    assert found["health_checks"] is True
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["broker"] == "filesystem://"
    options = found["broker_options"]
    assert options["data_folder_in"] == options["data_folder_out"] == str(data / "broker" / "queue")
    for folder in ("queue", "processed", "control"):
        assert (data / "broker" / folder).is_dir()


def test_postgres_and_redis_when_urls_are_set(tmp_path):
    found = read_settings(
        tmp_path,
        DEBUG="1",
        DATABASE_URL="postgres://app:secret@db.internal:5432/recovery",
        REDIS_URL="redis://cache.internal:6379/2",
    )
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["name"] == "recovery"
    assert found["health_checks"] is True
    assert found["test_name"] is None
    assert found["cache"] == "recovery.cache.FailoverRedisCache"  # test_cache_failover.py
    assert found["cache_location"] == "redis://cache.internal:6379/2"
    assert found["broker"] == "redis://cache.internal:6379/2"
    # No filesystem broker folders when Redis is the broker.
    assert not (tmp_path / "data" / "broker").exists()


def test_database_alone_keeps_the_embedded_broker(tmp_path):
    found = read_settings(
        tmp_path, DEBUG="1", DATABASE_URL="postgres://app@db.internal:5432/recovery"
    )
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["broker"] == "filesystem://"


def test_production_env_file_passes_deploy_checks(tmp_path):
    result = run_python(
        tmp_path,
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        ENV_FILE=str(BASE_DIR / ".env.production.example"),
        # The example holds no working key (test_secrets.py): `make check` passes one like this.
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("debug", [None, "0"])
def test_production_refuses_to_start_without_a_secret_key(tmp_path, debug):
    env = {"DEBUG": debug} if debug is not None else {}
    result = run_python(tmp_path, ["-c", "import django; django.setup()"], **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_debug_off_turns_the_security_settings_on(tmp_path):
    result = run_python(
        tmp_path,
        [
            "-c",
            "import django, json; django.setup(); from django.conf import settings as s; "
            "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS]))",
        ],
        SECRET_KEY="x" * 60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [True, True, True, 31536000]
