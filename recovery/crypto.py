"""Encryption at rest of free text (issue 11, item 7): model fields and the keys they use.

Keys come from `settings.FIELD_ENCRYPTION_KEYS`, Fernet keys, newest first: the first encrypts,
every one decrypts (cryptography's MultiFernet), so a key is rotated by putting a new one in
front, running `manage.py rotate_field_keys`, then dropping the old one (docs/security.md).

Why our own fields rather than django-fernet-encrypted-fields (the maintained one we tried):
it derives its keys from SECRET_KEY (rotating the session key would lose every journal), stores
"" as NULL (our NOT NULL text columns and the "released entries keep no text" constraint need
""), hands back the ciphertext as if it were text when a key is wrong, and its JSON field
encrypts each leaf as a string (numbers come back as strings, keys stay in clear).

Only the words are hidden: an empty value stays "" (so constraints can say "no text") and
NULL stays NULL. An encrypted column can't be searched, sorted or sliced in SQL: lookups other
than `isnull` and `exact ""` raise FieldError, so a query that would silently match nothing
fails loudly instead. Search decrypts one patient's rows (journaling.entry_text.search).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact, IsNull

from recovery.checks import field_keys_problem


class DecryptionError(RuntimeError):
    """A stored value no configured key opens: the key that wrote it is missing."""


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    problem = field_keys_problem(list(keys))
    if problem:
        raise ImproperlyConfigured(problem)
    return MultiFernet([Fernet(k.encode()) for k in keys])


def current_keys() -> tuple[str, ...]:
    return tuple(settings.FIELD_ENCRYPTION_KEYS)


def fernet() -> MultiFernet:
    # Cached per key list, so tests that change the settings get the matching keys.
    return _fernet(current_keys())


def encrypt_str(text: str) -> str:
    return fernet().encrypt(text.encode()).decode("ascii")


def decrypt_str(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise DecryptionError(
            "A stored value could not be decrypted with FIELD_ENCRYPTION_KEYS: the key that "
            "wrote it is missing from the list (docs/security.md, key rotation)."
        ) from exc


def is_current(token: str) -> bool:
    """True when the newest key wrote `token` (nothing for rotate_field_keys to do)."""
    try:
        Fernet(current_keys()[0].encode()).decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def rotate_token(token: str) -> str:
    """`token` re-encrypted with the newest key (DecryptionError if no key opens it)."""
    try:
        return fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise DecryptionError("A stored value could not be decrypted for rotation.") from exc


def _index_key(key: str) -> bytes:
    return hashlib.sha256(b"recovery.crypto blind index\0" + key.encode()).digest()


def blind_index(text: str, key: str | None = None) -> str:
    """A keyed hash of `text` regardless of case: equal lines give equal indexes, and without
    the key nobody can test a guess. The newest key's unless `key` is given."""
    secret = _index_key(key or current_keys()[0])
    return hmac.new(secret, text.casefold().encode(), hashlib.sha256).hexdigest()


def blind_indexes(text: str) -> list[str]:
    """The index of `text` under every configured key: finds rows not yet rotated."""
    return [blind_index(text, key) for key in current_keys()]


class _EmptyOnlyExact(Exact):
    """`field=""` works (empty values are stored as is); any other value can't match a
    ciphertext, so asking for it is a mistake, not an empty result."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None) and not hasattr(self.rhs, "resolve_expression"):
            raise FieldError(
                f"{self.lhs.output_field.name} is encrypted: it can only be compared with ''."
            )
        return super().get_prep_lookup()


class EncryptedMixin:
    """Stores the value as a Fernet token in a text column; see the module docstring."""

    _allowed_lookups = {"exact": _EmptyOnlyExact, "isnull": IsNull}

    def get_internal_type(self) -> str:
        return "TextField"

    def get_lookup(self, lookup_name: str) -> Any:
        return self._allowed_lookups.get(lookup_name)

    def get_transform(self, name: str) -> Any:
        return None

    def plaintext(self, value: Any) -> str:
        return str(value)

    def from_plaintext(self, text: str) -> Any:
        return text

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None or value == "":
            return value
        return encrypt_str(self.plaintext(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return self.from_plaintext(decrypt_str(value))


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


class EncryptedCharField(EncryptedMixin, models.CharField):
    """max_length is checked on the words (forms, full_clean); the column is text, since a
    token is longer than its words."""


class EncryptedJSONField(EncryptedMixin, models.JSONField):
    """The whole JSON document as one token: types, keys and structure stay hidden."""

    def plaintext(self, value: Any) -> str:
        return json.dumps(value, cls=self.encoder)

    def from_plaintext(self, text: str) -> Any:
        return json.loads(text, cls=self.decoder)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        # "" is a JSON string here, not an empty column: only None stays in clear.
        if value is None:
            return None
        return encrypt_str(self.plaintext(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return self.from_plaintext(decrypt_str(value))
