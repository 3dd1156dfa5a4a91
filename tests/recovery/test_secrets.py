"""Secrets (issue 11, item 11): a placeholder or short SECRET_KEY never runs production.

Both the app's own start (settings) and `check --deploy` refuse it, and the production example
holds no value that works as it is.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from recovery.checks import secret_key_problem
from tests.recovery.test_settings import BASE_DIR, run_python

PROD_EXAMPLE = BASE_DIR / ".env.production.example"


@pytest.mark.parametrize(
    "key",
    [
        "",
        "short-but-random-Zq8",
        "replace-with-50-random-characters-6pA9qX2vLr7Tz0KdWm4Ns8Bf1Hc3Jy5Eu",
        "change-me",
        "django-insecure-" + "a1b2c3d4e5" * 5,
    ],
)
def test_placeholder_or_short_keys_are_refused(key):
    assert secret_key_problem(key) is not None


def test_a_generated_key_is_accepted():
    assert secret_key_problem(secrets.token_urlsafe(50)) is None


def test_the_production_example_does_not_start_as_it_is(tmp_path: Path):
    result = run_python(tmp_path, ["-c", "import django; django.setup()"],
                        ENV_FILE=str(PROD_EXAMPLE))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_example_values_are_not_usable():
    values = dict(
        line.split("=", 1)
        for line in PROD_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert values["SECRET_KEY"] == ""
    assert values["POSTGRES_PASSWORD"] == ""  # docker-compose refuses to start without one
    assert "CHANGE-ME" in values["EMAIL_URL"]


@pytest.mark.parametrize("key", ["change-me", "k" * 20])
def test_production_start_refuses_a_placeholder_key(tmp_path: Path, key: str):
    result = run_python(tmp_path, ["-c", "import django; django.setup()"], SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "ImproperlyConfigured" in result.stderr


def test_check_deploy_reports_a_bad_key_even_in_debug(tmp_path: Path):
    # DEBUG=1 lets settings load with the dev key; the deploy check still names the problem.
    result = run_python(tmp_path, ["manage.py", "check", "--deploy"], DEBUG="1")
    assert result.returncode != 0
    assert "recovery.E001" in result.stdout + result.stderr
