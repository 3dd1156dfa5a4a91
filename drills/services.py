"""The drills' own PostgreSQL and Redis: throwaway server processes on free ports, never the
machine's shared ones on 5432/6379, so a drill can stop, kill or restart them freely.

PostgreSQL: `initdb` into a temp dir (as the `postgres` user when we are root, since initdb
refuses root), `pg_ctl` to start/restart/stop it. A cluster is cheap to copy: `make drills`
builds one migrated, seeded cluster and every drill starts from a copy of it (see
`drills.app.demo_cluster`), so five drills do not migrate five times.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

HOST = "127.0.0.1"
SHARED_PORTS = {5432, 6379}  # the machine's servers: a drill never touches them


def free_port() -> int:
    while True:
        with socket.socket() as s:
            s.bind((HOST, 0))
            port = int(s.getsockname()[1])
        if port not in SHARED_PORTS:
            return port


def pg_bin_dir() -> Path:
    """The directory holding initdb, pg_ctl, pg_dump and pg_restore of one PostgreSQL version:
    $PG_BIN, else the directory the `initdb` on PATH resolves to, else the newest
    /usr/lib/postgresql/*/bin. The client tools must match the server (pg_restore reads what
    this pg_dump writes)."""
    candidates: list[Path] = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(os.path.realpath(on_path)).parent)

    def version(p: str) -> float:
        try:
            return float(Path(p).parent.name)
        except ValueError:
            return 0.0

    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version,
                                           reverse=True)]
    for c in candidates:
        if all((c / tool).exists() for tool in ("initdb", "pg_ctl", "pg_dump", "pg_restore")):
            return c
    raise SystemExit("PostgreSQL server binaries not found (set PG_BIN to their directory)")


def _as_postgres(cmd: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` user then."""
    if os.geteuid() != 0:
        return cmd
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *cmd]
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(cmd)]


def _chown_to_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        for p in [path, *path.rglob("*")]:
            os.chown(p, pw.pw_uid, pw.pw_gid)


class Postgres:
    """One PostgreSQL cluster in a temp dir, listening on 127.0.0.1:<free port> only."""

    def __init__(self, root: Path | None = None) -> None:
        self.bin = pg_bin_dir()
        # Its own temp dir (not under a root-only one): the postgres user must reach it.
        self.root = root or Path(tempfile.mkdtemp(prefix="drills-pg-"))
        self.root.chmod(0o755)
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = free_port()

    def url(self, db: str = "postgres") -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{db}"

    def _run(self, *args: str, check: bool = True) -> None:
        # Output to a file, not a pipe: a postmaster that pg_ctl starts inherits its output,
        # and a pipe would never reach end-of-file while the server runs.
        out = self.root / "ctl.log"
        with out.open("ab") as f:
            code = subprocess.call(_as_postgres([str(self.bin / args[0]), *args[1:]]),  # noqa: S603
                                   stdin=subprocess.DEVNULL, stdout=f, stderr=f, cwd=self.root)
        if check and code != 0:
            raise SystemExit(f"{args[0]} {' '.join(args[-1:])} failed ({code}):\n"
                             f"{out.read_text()[-2000:]}")

    def init(self) -> Postgres:
        _chown_to_postgres(self.root)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--no-sync", "--locale=C.UTF-8")
        return self

    def copy_from(self, template: Path) -> Postgres:
        """A cluster made from a stopped template cluster's data directory (seconds, not a
        migration)."""
        shutil.copytree(template, self.data, symlinks=True)
        _chown_to_postgres(self.root)
        return self

    def start(self) -> Postgres:
        # fsync off: a drill's data is thrown away; a fast (clean) restart loses nothing anyway.
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses={HOST} -c fsync=off "
                "-c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w",
                  "-t", "60", "start")
        return self

    def restart(self, mode: str = "fast") -> float:
        """`pg_ctl restart -m <mode>`; returns the seconds it took."""
        started = time.monotonic()
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", mode, "-w", "-t",
                  "60", "restart")
        return time.monotonic() - started

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop",
                  check=False)

    def execute(self, sql: str, db: str = "postgres") -> None:
        import psycopg2

        conn = psycopg2.connect(self.url(db))
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
        finally:
            conn.close()

    def tool(self, name: str, *args: str) -> subprocess.CompletedProcess[str]:
        """pg_dump / pg_restore of the same version as the server."""
        return subprocess.run([str(self.bin / name), *args], check=True, capture_output=True,  # noqa: S603
                              text=True)

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class Redis:
    """A redis-server of our own (no persistence), which a drill may stop and start again on
    the same port."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server not found (apt-get install redis-server)")
        self.binary = binary
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://{HOST}:{self.port}/{db}"

    def start(self) -> Redis:
        self.proc = subprocess.Popen(  # noqa: S603
            [self.binary, "--port", str(self.port), "--bind", HOST, "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        raise SystemExit("redis-server did not start within 15 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
        self.proc = None
