"""Helpers for the foundation's tests: a clean cache, eager Celery, sign-in and TOTP codes."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.test import Client

from recovery.celery import app as celery_app


@pytest.fixture
def celery_eager() -> Iterator[None]:
    """Run tasks in-process. The Celery app reads Django settings once, so set its conf."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now; waits out the last second of a period."""
    if 30 - time.time() % 30 < 1.5:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time() // 30)))


def sign_in(client: Client, email: str, password: str):
    """Post allauth's login form; returns the response without following redirects."""
    return client.post("/accounts/login/", {"login": email, "password": password})


def link_in(message: mail.EmailMessage, fragment: str) -> str:
    """The path of the first link in a mail whose URL contains `fragment`."""
    for path in re.findall(r"https?://[^/\s]+(/\S*)", message.body):
        if fragment in path:
            return path
    raise AssertionError(f"no link with {fragment!r} in:\n{message.body}")


def mails_to(email: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if email in m.to]
