"""`make bench`: build a bench database, start gunicorn as production does, load each page
interleaved with the bare view, print one line of figures per page.

    python -m bench.run                 8 rounds of 3 s per page and per bare run
    BENCH_SMOKE=1 python -m bench.run   1 round of 1 s, tiny data (CI: it runs, it prints)

A page slower than a few requests per window gets a longer window (up to BENCH_MAX_SECONDS,
default 30), so that each round holds about ten of its requests.

Environment: DATABASE_URL (PostgreSQL: the bench uses its own database, BENCH_DB_NAME,
default recovery_bench, dropped and re-created each run and left behind for inspection;
unset: SQLite in a temp dir), BENCH_ROUNDS, BENCH_SECONDS, BENCH_MAX_SECONDS,
BENCH_CONNECTIONS (default 4), BENCH_WORKERS (gunicorn sync workers, default 2),
BENCH_NO_WRK=1 (the Python load generator even where wrk is installed), BENCH_VERBOSE=1
(every round's figures), BENCH_KEEP=1 (keep the temp dir: gunicorn's logs, the SQLite file),
BENCH_ONLY=clinic,journal (only the pages whose name contains one of these words; the data
is built whole all the same).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from . import load
from .report import Page, line, year_lines
from .server import Server

ROOT = Path(__file__).resolve().parent.parent
SMOKE = os.environ.get("BENCH_SMOKE", "") not in ("", "0")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 1 if SMOKE else 8))
SECONDS = float(os.environ.get("BENCH_SECONDS", 1 if SMOKE else 3))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 4))
WORKERS = int(os.environ.get("BENCH_WORKERS", 2))
HISTORY_DAYS = 30 if SMOKE else 365
CASELOADS = [2, 5, 10] if SMOKE else [10, 200, 1000]
MAX_SECONDS = int(os.environ.get("BENCH_MAX_SECONDS", 1 if SMOKE else 30))
TARGET_REQUESTS = 10  # per page and round, when the page is slow
VERBOSE = os.environ.get("BENCH_VERBOSE", "") not in ("", "0")
ONLY = [word for word in os.environ.get("BENCH_ONLY", "").split(",") if word.strip()]


def _bench_database_url() -> str | None:
    """Point DATABASE_URL at a fresh bench database on the same server (dropped first)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return None
    import psycopg2

    parsed = urlparse(url)
    name = os.environ.get("BENCH_DB_NAME", "recovery_bench")
    maintenance = parsed.path.lstrip("/") or "postgres"
    if maintenance == name:
        maintenance = "postgres"
    conn = psycopg2.connect(urlunparse(parsed._replace(path=f"/{maintenance}")))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return urlunparse(parsed._replace(path=f"/{name}"))


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for row in Path("/proc/cpuinfo").read_text().splitlines():
            if row.startswith("model name"):
                cpu = row.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    avg = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores ({cpu}), load average {avg}"


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # so that gunicorn is stopped and the temp dir removed


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    tmp = Path(tempfile.mkdtemp(prefix="recovery-bench-"))
    try:
        return _run(tmp)
    finally:
        if os.environ.get("BENCH_KEEP"):
            print(f"  kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _run(tmp: Path) -> int:
    env = {**os.environ, "DATA_DIR": str(tmp), "DJANGO_SETTINGS_MODULE": "bench.settings"}
    db_url = _bench_database_url()
    if db_url:
        env["DATABASE_URL"] = db_url
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from .data import populate
    from .pages import build_pages, count_queries

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"bench {dt.datetime.now():%Y-%m-%d %H:%M} | {_machine()}")
    print(
        f"  {engine}, gunicorn {WORKERS} sync workers, DEBUG {settings.DEBUG}, "
        f"load by {load.generator_name()} with {CONNECTIONS} connections, "
        f"{ROUNDS} round(s) of {SECONDS:g} s{' (smoke)' if SMOKE else ''}",
        flush=True,
    )
    t = time.monotonic()
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"  {'collectstatic':<44} {time.monotonic() - t:5.1f}s", flush=True)
    people = populate(HISTORY_DAYS, CASELOADS)
    if engine == "postgresql":
        # What autovacuum does to a production database (and may not get to before the first
        # round here, or is off on the bench's server): statistics for the planner, and the
        # dead rows of the set-up's updates cleared. Without it a plan is chosen blind.
        t = time.monotonic()
        with connections["default"].cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"  {'vacuum analyze':<44} {time.monotonic() - t:5.1f}s", flush=True)
    pages = build_pages(people)
    if ONLY:
        pages = [page for page in pages if any(word.strip() in page.name for word in ONLY)]
    count_queries(pages)
    connections.close_all()  # gunicorn's workers open their own

    server = Server(ROOT, env, tmp, WORKERS)
    try:
        return 1 if _load(server, pages) else 0
    finally:
        server.stop()


def _load(server: Server, pages: list[Page]) -> bool:
    """Check every page answers 200, warm up, measure the rounds, print. True on errors."""
    latency: dict[str, float] = {}
    for page in pages:
        # The page twice outside the smoke: the second, warmer, tells how long it takes.
        for req in (page.bare, page.request, *([] if SMOKE else [page.request])):
            status, location, body, seconds = server.fetch(req)
            if status != 200:
                print(f"{page.name}: {req.method} {req.path} answered {status} {location}")
                print(body[:2000])
                return True
        latency[page.name] = seconds
    if not SMOKE:  # let both workers import and compile templates before measuring
        for page in pages:
            server.measure(page.request, 1, CONNECTIONS, latency[page.name])
    # A slow page gets a longer window, so that a round holds about ten of its requests.
    window = {
        name: max(SECONDS, min(MAX_SECONDS, math.ceil(TARGET_REQUESTS * seconds / WORKERS)))
        for name, seconds in latency.items()
    }
    print(flush=True)
    for n in range(ROUNDS):
        for page in pages:
            bare = server.measure(page.bare, SECONDS, CONNECTIONS, 0.0)
            sample = server.measure(
                page.request, window[page.name], CONNECTIONS, latency[page.name]
            )
            page.bare_samples.append(bare)
            page.samples.append(sample)
            # The first estimate came from one quiet request: correct it with what this
            # round's throughput says a window of about ten requests needs.
            wanted = math.ceil(window[page.name] * TARGET_REQUESTS / max(1, sample.requests))
            window[page.name] = max(SECONDS, min(MAX_SECONDS, wanted))
            if VERBOSE:
                print(f"  round {n + 1} {page.name:<26} {sample} | bare {bare}", flush=True)
    for page in pages:
        print(line(page))
    for text in year_lines(pages):
        print(text)
    print(f"  (after the run: load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    return any(page.errors for page in pages)


if __name__ == "__main__":
    sys.exit(main())
