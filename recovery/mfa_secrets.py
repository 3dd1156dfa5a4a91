"""The secrets allauth keeps in `Authenticator.data` (a TOTP key, a recovery-code seed, codes
migrated from elsewhere), encrypted by recovery.adapters.MFAAdapter with FIELD_ENCRYPTION_KEYS.
These helpers rewrite them in bulk: the data migration that encrypts existing authenticators
(and decrypts them on the way back) and rotate_field_keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from recovery import crypto_rows

SECRET_KEYS = ("secret", "seed")
LIST_KEYS = ("migrated_codes",)


def rewrite_data(data: dict[str, Any], rewrite: Callable[[str], str | None]) -> bool:
    """Rewrite the secret values of one authenticator's data in place; True if any changed."""
    changed = False
    for key in SECRET_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value and (new := rewrite(value)) is not None:
            data[key] = new
            changed = True
    for key in LIST_KEYS:
        values = data.get(key)
        if isinstance(values, list):
            new_list = [
                (rewrite(v) if isinstance(v, str) and v else None) or v for v in values
            ]
            if new_list != values:
                data[key] = new_list
                changed = True
    return changed


def rewrite_authenticators(model: Any, rewrite: Callable[[str], str | None]) -> int:
    """Apply `rewrite` to every authenticator's secrets (`model`: the real or a historical
    Authenticator); returns how many rows changed."""
    changed = 0
    for auth in model.objects.order_by("pk").iterator(chunk_size=crypto_rows.BATCH):
        data = dict(auth.data or {})
        if rewrite_data(data, rewrite):
            model.objects.filter(pk=auth.pk).update(data=data)
            changed += 1
    return changed
