"""System checks and start-up guards for secrets (issue 11, item 11).

`secret_key_problem` is the one rule for "is this SECRET_KEY usable in production": settings.py
calls it at start (DEBUG off refuses to start) and the deploy check reports it, so
`check --deploy` and the running app can never disagree.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, register

# Django's own guidance (security.W009): 50+ characters. Shorter keys are refused outright.
MIN_SECRET_KEY_LENGTH = 50
# Words the examples and tutorials use for "put your key here": a key containing one was copied,
# not generated.
PLACEHOLDER_MARKERS = (
    "change-me",
    "changeme",
    "replace-with",
    "replace_me",
    "dev-only",
    "django-insecure",
    "your-secret",
    "secret-key-here",
)


def secret_key_problem(key: str) -> str | None:
    """Why `key` must not sign production sessions, or None when it is acceptable."""
    if not key:
        return "SECRET_KEY is empty."
    lowered = key.lower()
    for marker in PLACEHOLDER_MARKERS:
        if marker in lowered:
            return f"SECRET_KEY is a placeholder (it contains {marker!r}); generate one."
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return (
            f"SECRET_KEY has {len(key)} characters; production needs at least "
            f"{MIN_SECRET_KEY_LENGTH}."
        )
    return None


GENERATE_HINT = (
    'Generate one: python -c "import secrets; print(secrets.token_urlsafe(50))" and set it in '
    "the environment (SECRET_KEY=...)."
)


@register(Tags.security, deploy=True)
def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    problem = secret_key_problem(getattr(settings, "SECRET_KEY", "") or "")
    if problem is None:
        return []
    return [Error(problem, hint=GENERATE_HINT, id="recovery.E001")]


# --- Encryption at rest (issue 11, item 7; recovery.crypto) ------------------------------------


def derived_key(secret: str) -> str:
    """A Fernet key derived from `secret`: the development and test default only (settings)."""
    digest = hashlib.sha256(b"recovery.crypto field key\0" + secret.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def field_keys_problem(keys: list[str]) -> str | None:
    """Why `keys` can't protect patient texts, or None when they can."""
    if not keys:
        return "FIELD_ENCRYPTION_KEYS is empty: patient texts would have no key to encrypt them."
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            return (
                f"FIELD_ENCRYPTION_KEYS: key {number} is not a Fernet key "
                "(32 url-safe base64-encoded bytes)."
            )
    return None


FIELD_KEYS_HINT = (
    'Generate one: python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())" and set FIELD_ENCRYPTION_KEYS=... (newest first, '
    "comma separated). Keep every key that wrote data until rotate_field_keys has run."
)


@register(Tags.security)
def check_field_encryption_keys(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    # Not a deploy-only check: migrate and runserver refuse too, so production never writes a
    # patient text it could not read back. DEBUG gets a derived key in settings, so it passes.
    problem = field_keys_problem(list(getattr(settings, "FIELD_ENCRYPTION_KEYS", []) or []))
    if problem is None:
        return []
    return [Error(problem, hint=FIELD_KEYS_HINT, id="recovery.E002")]
