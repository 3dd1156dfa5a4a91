"""System checks and start-up guards for secrets (issue 11, item 11).

`secret_key_problem` is the one rule for "is this SECRET_KEY usable in production": settings.py
calls it at start (DEBUG off refuses to start) and the deploy check reports it, so
`check --deploy` and the running app can never disagree.
"""

from __future__ import annotations

from typing import Any

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
