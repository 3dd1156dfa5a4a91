"""Backup and restore round trip (issue 11, item 12; the procedure is docs/operations.md).

Dumps a database with `pg_dump --format=custom`, restores the dump with `pg_restore` into a
new, EMPTY database on the same server, and compares every table of the two: the row count
and an md5 over all rows in primary-key order (computed by PostgreSQL, `md5(string_agg(row,
…ORDER BY pk))`), plus every sequence's last value (so new rows after a restore do not
collide). Prints one line per table and exits non-zero on any difference.

    python -m drills.backup                      the demo, on a PostgreSQL of its own
    python -m drills.backup --database-url URL   a real database: restored into
                                                 <name>_restore_check on the same server,
                                                 compared, then dropped (needs CREATEDB)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from .services import pg_bin_dir

TABLES = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public' ORDER BY c.relname
"""
PRIMARY_KEY = """
SELECT a.attname FROM pg_index i
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
WHERE i.indrelid = %s::regclass AND i.indisprimary
ORDER BY array_position(i.indkey, a.attnum)
"""
SEQUENCES = "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
# The audit table's append-only trigger (and any other) must come back with the data.
TRIGGERS = "SELECT 'trigger ' || tgname, 1 FROM pg_trigger WHERE NOT tgisinternal"


def _connect(url: str):  # type: ignore[no-untyped-def]
    import psycopg2

    conn = psycopg2.connect(url)
    conn.set_session(readonly=True, autocommit=True)
    return conn


def fingerprint(url: str) -> tuple[dict[str, tuple[int, str]], dict[str, int | None]]:
    """{table: (rows, md5 of its rows in primary-key order)}, {sequence: last value} (with
    the user-defined triggers, as {"trigger <name>": 1})."""
    from psycopg2 import sql

    conn = _connect(url)
    tables: dict[str, tuple[int, str]] = {}
    try:
        with conn.cursor() as cur:
            cur.execute(TABLES)
            names = [row[0] for row in cur.fetchall()]
            for name in names:
                cur.execute(PRIMARY_KEY, [sql.Identifier(name).as_string(conn)])
                pk = [row[0] for row in cur.fetchall()]
                # No primary key: order by the whole row's text, still deterministic.
                order = (sql.SQL(", ").join(sql.SQL("t.") + sql.Identifier(c) for c in pk)
                         if pk else sql.SQL("t::text"))
                cur.execute(sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY {}), ''))"
                    " FROM {} AS t").format(order, sql.Identifier(name)))
                count, digest = cur.fetchone()
                tables[name] = (int(count), str(digest))
            cur.execute(SEQUENCES)
            sequences = {name: value for name, value in cur.fetchall()}
            cur.execute(TRIGGERS)
            sequences.update({name: value for name, value in cur.fetchall()})
    finally:
        conn.close()
    return tables, sequences


def _with_db(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def _admin(url: str, statement: str) -> None:
    import psycopg2

    conn = psycopg2.connect(_with_db(url, "postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


def roundtrip(url: str, workdir: Path) -> bool:
    """Dump `url`, restore into an empty `<name>_restore_check`, compare, drop it. True if
    every table and sequence is the same."""
    import subprocess

    bin_dir = pg_bin_dir()
    name = urlparse(url).path.lstrip("/")
    copy = f"{name}_restore_check"
    dump = workdir / f"{name}.dump"
    started = time.monotonic()
    subprocess.run([str(bin_dir / "pg_dump"), "--format=custom", "--file", str(dump), url],  # noqa: S603
                   check=True)
    dumped = time.monotonic()
    _admin(url, f'DROP DATABASE IF EXISTS "{copy}"')
    _admin(url, f'CREATE DATABASE "{copy}" TEMPLATE template0')  # empty: nothing but the dump
    try:
        subprocess.run([str(bin_dir / "pg_restore"), "--exit-on-error", "--no-owner",  # noqa: S603
                        "--dbname", _with_db(url, copy), str(dump)], check=True)
        restored = time.monotonic()
        original, original_seq = fingerprint(url)
        result, result_seq = fingerprint(_with_db(url, copy))
    finally:
        _admin(url, f'DROP DATABASE IF EXISTS "{copy}"')

    print(f"  {'table':<44} {'rows':>7} {'restored':>9}  checksum")
    differences = 0
    for table in sorted(set(original) | set(result)):
        a, b = original.get(table), result.get(table)
        same = a == b
        differences += not same
        print(f"  {table:<44} {a[0] if a else '-':>7} {b[0] if b else '-':>9}  "
              f"{'same' if same else 'DIFFERENT'} {(a or b or (0, ''))[1][:12]}")
    seq_diff = [s for s in set(original_seq) | set(result_seq)
                if original_seq.get(s) != result_seq.get(s)]
    for s in seq_diff:
        print(f"  {s}: {original_seq.get(s)} → {result_seq.get(s)} DIFFERENT")
    rows = sum(count for count, _ in original.values())
    ok = differences == 0 and not seq_diff and bool(original)
    print(f"backup drill: {'OK' if ok else 'FAILED'} — pg_dump -Fc {dump.stat().st_size // 1024} KiB"
          f" in {dumped - started:.1f} s, pg_restore into an empty database in "
          f"{restored - dumped:.1f} s; {len(original)} tables, {rows} rows, "
          f"{len(original_seq)} sequences and triggers: {differences} tables and {len(seq_diff)} "
          f"sequences/triggers differ")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", help="a database to check instead of the demo")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="drills-backup-"))
    try:
        if args.database_url:
            return 0 if roundtrip(args.database_url, workdir) else 1
        from .app import DB_NAME, start_services

        stack = start_services()
        try:
            return 0 if roundtrip(stack.pg.url(DB_NAME), workdir) else 1
        finally:
            stack.close()
    finally:
        if not os.environ.get("DRILLS_KEEP"):
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
