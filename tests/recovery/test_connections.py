"""Database connections are reused in production (issue 12): CONN_MAX_AGE from the environment."""

from __future__ import annotations

import json

from tests.recovery.test_settings import run_python

PG = "postgres://app:secret@db.internal:5432/recovery"
KEY = "a-production-secret-key-with-enough-length-and-variety-0123456789-QWERTY"
PRINT = (
    "import django, json; django.setup()\n"
    "from django.conf import settings\n"
    "db = settings.DATABASES['default']\n"
    "print(json.dumps([db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS']]))"
)


def _conn(tmp_path, **env: str) -> list:
    result = run_python(tmp_path, ["-c", PRINT], DATABASE_URL=PG, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_keeps_connections_a_minute_debug_does_not(tmp_path):
    production = {"DEBUG": "0", "SECRET_KEY": KEY, "ALLOWED_HOSTS": "recovery.example.org"}
    assert _conn(tmp_path, **production) == [60, True]
    assert _conn(tmp_path, DEBUG="1") == [0, True]
    assert _conn(tmp_path, DEBUG="1", DB_CONN_MAX_AGE="30") == [30, True]
    assert _conn(tmp_path, **production, DB_CONN_MAX_AGE="0") == [0, True]
