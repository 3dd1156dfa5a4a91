"""The application under a drill: production settings (bench/settings.py: DEBUG off, only
plain-HTTP relaxations) on the drill's own PostgreSQL and Redis, the demo seeded, gunicorn
started the Dockerfile's way, and signed-in sessions made directly (bench.data), so no TOTP
code has to be typed.

Call `start_services()` before anything imports Django settings: it starts the servers,
points the environment at them and then sets Django up.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

from bench.server import wait_listening

from .services import HOST, Postgres, Redis, free_port

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "recovery"
TEST_DB_NAME = f"test_{DB_NAME}"  # pytest-django's name for it


@dataclass
class Stack:
    pg: Postgres
    redis: Redis
    tmp: Path
    env: dict[str, str] = field(default_factory=dict)
    servers: list[Gunicorn] = field(default_factory=list)

    def close(self) -> None:
        for server in self.servers:
            server.stop()
        self.redis.stop()
        self.pg.remove()
        if not os.environ.get("DRILLS_KEEP"):
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print(f"  kept {self.tmp} and {self.pg.root}")


def start_services(*, seed: bool = True) -> Stack:
    """Own Redis and PostgreSQL, the environment pointed at them, Django set up, the database
    migrated and (seed=True) the demo loaded. A template cluster ($DRILLS_TEMPLATE, which
    `python -m drills` sets) is copied when it exists and written when it does not."""
    tmp = Path(tempfile.mkdtemp(prefix="drills-"))
    redis, pg = Redis(), Postgres()
    stack = Stack(pg=pg, redis=redis, tmp=tmp)
    try:
        _start(stack, seed)
    except BaseException:
        stack.close()  # no server of ours outlives a drill that could not start
        raise
    return stack


def _start(stack: Stack, seed: bool) -> None:
    pg, redis = stack.pg, stack.redis
    redis.start()
    template = Path(os.environ["DRILLS_TEMPLATE"]) if os.environ.get("DRILLS_TEMPLATE") else None
    reuse = seed and template is not None and (template / "PG_VERSION").exists()
    if reuse:
        assert template is not None
        pg.copy_from(template).start()
    else:
        pg.init().start()
        pg.execute(f'CREATE DATABASE "{DB_NAME}"')
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": pg.url(DB_NAME),
        "REDIS_URL": redis.url(0),
        "DATA_DIR": str(stack.tmp),
        # Shared between drills (the runner sets it): static files are collected once.
        "STATIC_ROOT": os.environ.get("STATIC_ROOT", str(stack.tmp / "staticfiles")),
        # Back to Redis within seconds once it returns (production: 30 s).
        "CACHE_RETRY_SECONDS": "2",
        "CACHE_KEY_PREFIX": "drill",
    }
    os.environ.update(env)
    stack.env = dict(os.environ)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if not reuse:
        _prepare(pg, seed)
        if seed and template is not None:
            from django.db import connections

            connections.close_all()
            pg.stop()
            shutil.copytree(pg.data, template, symlinks=True)
            pg.start()
    _collectstatic()


def _prepare(pg: Postgres, seed: bool) -> None:
    from django.core.management import call_command
    from django.db import connections
    from django.test.utils import override_settings

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    # A copy of the just-migrated database is what pytest-django would build as its test
    # database: drills.worker_kill runs the existing fault test on it with --reuse-db.
    connections.close_all()
    pg.execute(f'CREATE DATABASE "{TEST_DB_NAME}" TEMPLATE "{DB_NAME}"')
    if seed:
        call_command("load_curricula", stdout=StringIO())
        call_command("load_instruments", stdout=StringIO())
        # seed_demo refuses DEBUG off (known passwords): this database is thrown away.
        with override_settings(DEBUG=True):
            call_command("seed_demo", stdout=StringIO())
    print(f"  prepared the demo database in {time.monotonic() - started:.1f} s", flush=True)


def _collectstatic() -> None:
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


class Gunicorn:
    """gunicorn as the Dockerfile runs it (sync workers, timeout 60), its output (Django's log
    included) in the drill's temp dir rather than on the drill's report."""

    def __init__(self, stack: Stack, workers: int) -> None:
        from django.db import connections

        connections.close_all()  # nothing of this process's connections is inherited
        self.port = free_port()
        self.log = stack.tmp / "gunicorn.log"
        cmd = [sys.executable, "-m", "gunicorn", "recovery.wsgi", "--bind", f"{HOST}:{self.port}",
               "--workers", str(workers), "--worker-class", "sync", "--timeout", "60"]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=stack.env, stdout=out, stderr=out)  # noqa: S603
        wait_listening(self.proc, self.port, 90, f"see {self.log}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    def log_count(self, text: str) -> int:
        return self.log.read_text(errors="replace").count(text)


def start_gunicorn(stack: Stack, workers: int = 2) -> Gunicorn:
    server = Gunicorn(stack, workers)
    stack.servers.append(server)
    return server


def signed_in(email: str) -> tuple[str, str]:
    """(Cookie header, CSRF token) of a browser signed in as `email`."""
    from bench.data import cookie_header, csrf_pair, session_cookie
    from recovery.models import User

    secret, token = csrf_pair()
    return cookie_header(session_cookie(User.objects.get(email=email)), secret), token
