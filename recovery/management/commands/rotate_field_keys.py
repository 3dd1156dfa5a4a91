"""Re-encrypt every encrypted value with the newest of FIELD_ENCRYPTION_KEYS (docs/security.md,
key rotation): every model field of recovery.crypto, the stressor lines' blind index, and the
MFA secrets. Batched by primary key; idempotent (a value the newest key wrote is left alone,
so a second run, or a run after an interruption, only finishes what is left)."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from recovery import crypto_rows
from recovery.crypto import EncryptedMixin
from recovery.mfa_secrets import rewrite_authenticators


def encrypted_columns() -> dict[str, list[str]]:
    """Every table with encrypted fields, and their columns (found, not listed by hand, so a
    new encrypted field is rotated too)."""
    found: dict[str, list[str]] = {}
    for model in apps.get_models():
        columns = [f.column for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]
        if columns and not model._meta.proxy:
            found.setdefault(model._meta.db_table, []).extend(columns)
    return found


def blind_indexes() -> list[tuple[str, str, str]]:
    """(table, text column, index column) of models keeping a blind index of a text."""
    found = []
    for model in apps.get_models():
        index = getattr(model, "BLIND_INDEX", None)
        if index:
            # Plain local fields: their column is their name (no db_column on them).
            text, column = index
            found.append((model._meta.db_table, text, column))
    return found


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value with the first (newest) FIELD_ENCRYPTION_KEYS key."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int, default=crypto_rows.BATCH,
                            help="Rows read and rewritten per query (default %(default)s).")

    def handle(self, *args: Any, batch: int, **options: Any) -> None:
        total = 0
        for table, columns in encrypted_columns().items():
            # One transaction per table: a crash leaves whole tables done or not, and a
            # re-run skips what the newest key already wrote.
            with transaction.atomic():
                changed = crypto_rows.rewrite_columns(
                    connection, table, columns, crypto_rows.rotate_value, batch=batch
                )
            total += changed
            self.stdout.write(f"{table}: {changed} value(s) re-encrypted")
        for table, text, column in blind_indexes():
            with transaction.atomic():
                changed = crypto_rows.set_blind_indexes(connection, table, text, column, batch)
            self.stdout.write(f"{table}.{column}: {changed} index(es) recomputed")
        with transaction.atomic():
            changed = rewrite_authenticators(Authenticator, crypto_rows.rotate_value)
        total += changed
        self.stdout.write(f"MFA authenticators: {changed} re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"Done: {total} value(s) now under the newest key."))
