"""Rewriting encrypted columns in bulk: the data migrations that encrypt (and decrypt) existing
rows, and `manage.py rotate_field_keys`. Raw SQL by primary key in batches, never the models:
a migration's historical model would already try to decrypt a column that still holds clear
text, and 10,000 rows must not be held in memory at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from cryptography.fernet import InvalidToken

from recovery import crypto

BATCH = 500

# value (never None or "") -> the value to store, or None to leave the row as it is
Rewrite = Callable[[str], "str | None"]


def rewrite_columns(
    connection: Any, table: str, columns: Sequence[str], rewrite: Rewrite, batch: int = BATCH
) -> int:
    """Apply `rewrite` to every non-empty value of `columns` in `table`; returns the number of
    values changed. Idempotent as long as `rewrite` answers None for a value already done."""
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    changed, last = 0, None
    while True:
        with connection.cursor() as cursor:
            where = "" if last is None else f" WHERE {qn('id')} > %s"
            cursor.execute(
                f"SELECT {qn('id')}, {cols} FROM {qn(table)}{where} "  # noqa: S608 (names quoted)
                f"ORDER BY {qn('id')} LIMIT {int(batch)}",
                [] if last is None else [last],
            )
            rows = cursor.fetchall()
            for pk, *values in rows:
                updates = {}
                for column, value in zip(columns, values, strict=True):
                    if value is None or value == "":
                        continue
                    new = rewrite(value if isinstance(value, str) else _as_text(value))
                    if new is not None:
                        updates[column] = new
                if updates:
                    sets = ", ".join(f"{qn(c)} = %s" for c in updates)
                    cursor.execute(
                        f"UPDATE {qn(table)} SET {sets} WHERE {qn('id')} = %s",  # noqa: S608
                        [*updates.values(), pk],
                    )
                    changed += len(updates)
        if len(rows) < batch:
            return changed
        last = rows[-1][0]


def _as_text(value: Any) -> str:
    # PostgreSQL hands a jsonb column back as Python data, before it becomes text.
    return json.dumps(value)


def _is_token(value: str) -> bool:
    try:
        crypto.fernet().decrypt(value.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def encrypt_value(value: str) -> str | None:
    """Clear text -> a token; a value that already is one is left alone (a re-run)."""
    return None if _is_token(value) else crypto.encrypt_str(value)


def decrypt_value(value: str) -> str | None:
    """A token -> clear text; clear text is left alone (a re-run of the reverse)."""
    return crypto.decrypt_str(value) if _is_token(value) else None


def rotate_value(value: str) -> str | None:
    """A token under an older key -> the same words under the newest key."""
    return None if crypto.is_current(value) else crypto.rotate_token(value)


def encrypt_columns(connection: Any, table: str, columns: Sequence[str]) -> int:
    return rewrite_columns(connection, table, columns, encrypt_value)


def decrypt_columns(connection: Any, table: str, columns: Sequence[str]) -> int:
    return rewrite_columns(connection, table, columns, decrypt_value)


def set_blind_indexes(
    connection: Any, table: str, text_column: str, index_column: str, batch: int = BATCH
) -> int:
    """Recompute `index_column` from the encrypted `text_column` with the newest key."""
    qn = connection.ops.quote_name
    changed, last = 0, 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {qn('id')}, {qn(text_column)}, {qn(index_column)} FROM {qn(table)} "  # noqa: S608
                f"WHERE {qn('id')} > %s ORDER BY {qn('id')} LIMIT {int(batch)}",
                [last],
            )
            rows = cursor.fetchall()
            for pk, token, index in rows:
                text = crypto.decrypt_str(token) if token else ""
                new = crypto.blind_index(text)
                if new != index:
                    cursor.execute(
                        f"UPDATE {qn(table)} SET {qn(index_column)} = %s WHERE {qn('id')} = %s",  # noqa: S608
                        [new, pk],
                    )
                    changed += 1
        if len(rows) < batch:
            return changed
        last = rows[-1][0]
