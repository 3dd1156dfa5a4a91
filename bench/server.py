"""gunicorn as the Dockerfile runs it, and a way to know when it has gone quiet.

wrk hangs up at its deadline, but the requests it already sent still reach the sync workers
and are served (gunicorn logs every one, even when the client has gone). Measuring the next
run before they drain would charge this page's tail to the next page or bare view; with a
slow page that tail is several seconds. The access log says when they are done.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from .load import Request, Sample, fetch_once, measure

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def wait_listening(proc: subprocess.Popen, port: int, seconds: float, log_hint: str) -> None:
    """Return once something accepts connections on `port`; SystemExit if `proc` (gunicorn)
    exits first or `seconds` pass (it is terminated then). The drills start theirs the same way."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}): {log_hint}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit(f"gunicorn did not start within {seconds:.0f} s: {log_hint}")


class Server:
    def __init__(self, root: Path, env: dict[str, str], tmp: Path, workers: int) -> None:
        self.port = free_port()
        self.log = tmp / "access.log"
        self.log.touch()
        self._offset = 0
        self.served = 0  # requests gunicorn has logged so far
        # The Dockerfile's CMD, with the bench's settings and the logs in the temp dir.
        cmd = [
            sys.executable, "-m", "gunicorn", "recovery.wsgi",
            "--bind", f"{HOST}:{self.port}", "--workers", str(workers),
            "--worker-class", "sync", "--timeout", "60",
            "--access-logfile", str(self.log), "--error-logfile", str(tmp / "error.log"),
        ]  # fmt: skip
        self.proc = subprocess.Popen(cmd, cwd=root, env=env)
        wait_listening(self.proc, self.port, 60, f"see {tmp}/error.log")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)

    def _count(self) -> int:
        with self.log.open("rb") as f:
            f.seek(self._offset)
            chunk = f.read()
        self._offset += len(chunk)
        self.served += chunk.count(b"\n")
        return self.served

    def fetch(self, req: Request) -> tuple[int, str, str, float]:
        """One request: (status, Location, body, seconds it took)."""
        started = time.perf_counter()
        status, location, body = fetch_once(HOST, self.port, req)
        seconds = time.perf_counter() - started
        self._count()
        return status, location, body, seconds

    def measure(self, req: Request, seconds: float, connections: int, latency: float) -> Sample:
        """Load `req` for `seconds`, then wait until every request sent has been served.
        `latency`: a rough time one request takes, to tell a quiet server from a slow one."""
        before = self._count()
        sample = measure(HOST, self.port, req, seconds, connections)
        answered, sent = before + sample.requests, before + max(sample.sent, sample.requests)
        # Only if a request was lost on the way (a write error): give up after a long silence.
        quiet = max(5.0, 3 * max(sample.p95_ms / 1000, latency))
        last, changed, deadline = -1, time.monotonic(), time.monotonic() + 300
        while time.monotonic() < deadline:
            served = self._count()
            if served >= sent:
                break
            if served != last:
                last, changed = served, time.monotonic()
            elif served >= answered and time.monotonic() - changed >= quiet:
                break
            time.sleep(0.05)
        return sample
