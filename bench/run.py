"""`make bench`: build a bench database, start gunicorn as production does, load each page
interleaved with the bare view, print one line of figures per page.

    python -m bench.run            8 rounds of 3 s per page and per bare run
    BENCH_SMOKE=1 python -m bench.run   1 round of 1 s, tiny data (CI: it runs, it prints)

Environment: DATABASE_URL (PostgreSQL: the bench uses its own database, BENCH_DB_NAME,
default recovery_bench, dropped and re-created each run; unset: SQLite in a temp dir),
BENCH_ROUNDS, BENCH_SECONDS, BENCH_CONNECTIONS (default 4), BENCH_WORKERS (gunicorn sync
workers, default 2), BENCH_NO_WRK=1 (use the Python load generator even if wrk is there),
BENCH_KEEP=1 (keep the temp dir: gunicorn's access log, the SQLite file).
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
SMOKE = os.environ.get("BENCH_SMOKE", "") not in ("", "0")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 1 if SMOKE else 8))
SECONDS = float(os.environ.get("BENCH_SECONDS", 1 if SMOKE else 3))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 4))
WORKERS = int(os.environ.get("BENCH_WORKERS", 2))
HISTORY_DAYS = 30 if SMOKE else 365
CASELOADS = [2, 5, 10] if SMOKE else [10, 200, 1000]
HOST = "127.0.0.1"


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
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores ({cpu}), load average {load}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _start_gunicorn(env: dict[str, str], tmp: Path, port: int) -> subprocess.Popen[bytes]:
    # As the Dockerfile's CMD, with the bench's settings and an access log in the temp dir.
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "recovery.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(WORKERS),
        "--worker-class",
        "sync",
        "--timeout",
        "60",
        "--access-logfile",
        str(tmp / "access.log"),
        "--error-logfile",
        str(tmp / "error.log"),
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}); see {tmp / 'error.log'}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("gunicorn did not start within 60 s")


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="recovery-bench-"))
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

    from . import load
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
    from .data import populate

    people = populate(HISTORY_DAYS, CASELOADS)
    pages = build_pages(people)
    count_queries(pages)
    connections.close_all()  # gunicorn's workers open their own

    port = _free_port()
    server = _start_gunicorn(env, tmp, port)
    failed = False
    try:
        for page in pages:
            for req in (page.bare, page.request):
                status, location, body = load.fetch_once(HOST, port, req)
                if status != 200:
                    print(f"{page.name}: {req.method} {req.path} answered {status} {location}")
                    print(body[:2000])
                    return 1
        if not SMOKE:  # let both workers import and compile templates before measuring
            for page in pages:
                load.measure(HOST, port, page.request, 1, CONNECTIONS)
        print(flush=True)
        for _ in range(ROUNDS):
            for page in pages:
                page.bare_samples.append(load.measure(HOST, port, page.bare, SECONDS, CONNECTIONS))
                page.samples.append(load.measure(HOST, port, page.request, SECONDS, CONNECTIONS))
        from .report import line, year_lines

        for page in pages:
            print(line(page))
            failed = failed or bool(page.errors)
        for text in year_lines(pages):
            print(text)
        print(f"  (after the run: load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    finally:
        server.terminate()
        server.wait(timeout=30)
        if os.environ.get("BENCH_KEEP"):
            print(f"  kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
