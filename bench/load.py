"""Load generators: Debian's wrk when it is installed, a small threaded http.client loop
otherwise. Both answer with the same Sample, so the report does not care which ran."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

WRK_SCRIPT = Path(__file__).with_name("wrk.lua")
WRK_LINE = re.compile(r"^BENCH (.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Request:
    """What one simulated browser sends, again and again."""

    path: str
    cookie: str = ""  # none: a visitor who is not signed in
    method: str = "GET"
    body: str = ""
    csrf: str = ""
    htmx: bool = False

    def headers(self) -> dict[str, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if self.csrf:
            headers["X-CSRFToken"] = self.csrf
        if self.htmx:
            headers["HX-Request"] = "true"
        if self.method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return headers


@dataclass(frozen=True)
class Sample:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    errors: int  # 4xx/5xx answers and socket errors: a page that fails is not measured
    sent: int = 0  # requests written; wrk hangs up on the last ones, which are still served

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def generator_name() -> str:
    return "wrk" if shutil.which("wrk") and not os.environ.get("BENCH_NO_WRK") else "python"


def fetch_once(host: str, port: int, req: Request) -> tuple[int, str, str]:
    """(status, Location header, body) of one request: the pre-flight check that a page
    answers what a browser would get, not a sign-in redirect that would look very fast."""
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        conn.request(req.method, req.path, body=req.body or None, headers=req.headers())
        resp = conn.getresponse()
        return resp.status, resp.getheader("Location") or "", resp.read().decode(errors="replace")
    finally:
        conn.close()


def measure(host: str, port: int, req: Request, seconds: float, connections: int) -> Sample:
    if generator_name() == "wrk":
        return _wrk(host, port, req, seconds, connections)
    return _python(host, port, req, seconds, connections)


def _wrk(host: str, port: int, req: Request, seconds: float, connections: int) -> Sample:
    env = {
        **os.environ,
        "BENCH_METHOD": req.method,
        "BENCH_BODY": req.body,
        "BENCH_COOKIE": req.cookie,
        "BENCH_CSRF": req.csrf,
        "BENCH_HX": "1" if req.htmx else "0",
    }
    cmd = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(WRK_SCRIPT),
        f"http://{host}:{port}{req.path}",
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    match = WRK_LINE.search(out)
    if match is None:
        raise RuntimeError(f"wrk printed no figures:\n{out}")
    f = {k: int(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    return Sample(
        requests=f["requests"],
        seconds=f["duration_us"] / 1e6,
        p50_ms=f["p50_us"] / 1000,
        p95_ms=f["p95_us"] / 1000,
        errors=f["status_errors"] + f["socket_errors"],
        sent=f["sent"],
    )


def _percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def _python(host: str, port: int, req: Request, seconds: float, connections: int) -> Sample:
    """`connections` threads, each a keep-alive-if-possible client sending `req` in a loop.
    The GIL makes this generator slower than wrk; it still saturates two sync workers."""
    latencies: list[float] = []
    errors, unanswered = [0], [0]
    lock = threading.Lock()
    headers = req.headers()
    body = req.body.encode() if req.body else None
    deadline = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        mine: list[float] = []
        failed = lost = 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                conn.request(req.method, req.path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status >= 400:
                    failed += 1
            except (OSError, http.client.HTTPException):
                lost += 1
                conn.close()  # http.client reconnects on the next request
                continue
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed + lost
            unanswered[0] += lost

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)
    return Sample(
        requests=len(ordered),
        seconds=elapsed,
        p50_ms=_percentile(ordered, 50) * 1000,
        p95_ms=_percentile(ordered, 95) * 1000,
        errors=errors[0],
        sent=len(ordered) + unanswered[0],
    )
