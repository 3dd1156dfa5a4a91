"""Signed unsubscribe tokens: they work without signing in, for one person and one kind.

Forged or altered tokens fail the signature; old ones expire (UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS).
A token is not single-use, and need not be: using it again unsubscribes again, which changes
nothing (idempotent), so a replayed token can do no more than the first use did.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing

SALT = "recovery.notifications.unsubscribe"
ALL = "*"  # a token for every kind: pause everything


class InvalidToken(Exception):
    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def make(user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=SALT)


def read(token: str) -> tuple[int, str]:
    max_age = dt.timedelta(days=settings.UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS)
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise InvalidToken(expired=True) from exc
    except signing.BadSignature as exc:
        raise InvalidToken(expired=False) from exc
    try:
        return int(data["u"]), str(data["k"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidToken(expired=False) from exc
