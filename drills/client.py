"""Simulated browsers for the drills: plain http.client requests (one connection per request,
as gunicorn's sync workers close after each answer) recorded with when they ran and what came
back, so a drill can say what happened before, during and after a fault."""

from __future__ import annotations

import http.client
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from bench.load import Request

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Call:
    kind: str  # a label for the summary: "today", "check-in", ...
    method: str
    path: str
    cookie: str = ""
    body: str = ""
    csrf: str = ""
    htmx: bool = False

    def request(self) -> Request:
        """The same browser request the benchmarks send (its headers are built in one place)."""
        return Request(self.path, self.cookie, self.method, self.body, self.csrf, self.htmx)


@dataclass(frozen=True)
class Record:
    kind: str
    started: float  # time.monotonic()
    seconds: float
    status: int  # 0: no HTTP answer (refused, reset, timed out)
    body: str
    headers: dict[str, str]

    @property
    def server_error(self) -> bool:
        return self.status == 0 or self.status >= 500


def send(port: int, call: Call, timeout: float = 60) -> Record:
    headers = {"Host": f"{HOST}:{port}", **call.request().headers()}
    started = time.monotonic()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(call.method, call.path, body=call.body or None, headers=headers)
        resp = conn.getresponse()
        body = resp.read().decode(errors="replace")
        return Record(call.kind, started, time.monotonic() - started, resp.status, body,
                      {k.lower(): v for k, v in resp.getheaders()})
    except (OSError, http.client.HTTPException) as exc:
        return Record(call.kind, started, time.monotonic() - started, 0,
                      f"{type(exc).__name__}: {exc}", {})
    finally:
        conn.close()


def autosave_body(client_id: str, revision: int, seq: int, text: str) -> str:
    """What static/js/journal.js posts to /journal/autosave/."""
    return urlencode({
        "client_id": client_id, "base_revision": str(revision), "kind": "free_writing",
        "editor_id": client_id, "editor_seq": str(seq), "visibility": "private",
        "title": "", "body": text, "action": "save",
    })


def patient_calls(cookie: str, csrf: str, loop: int) -> list[Call]:
    """One round of a patient's day: Today, a check-in (htmx, as the Today form sends it),
    a journal autosave of a new entry, and the public crisis page."""
    return [
        Call("today", "GET", "/today/", cookie),
        Call("check-in", "POST", "/today/check-in/", cookie,
             urlencode({"pain": loop % 11, "stress": 5, "mood": 6, "note": "drill"}), csrf,
             htmx=True),
        Call("autosave", "POST", "/journal/autosave/", cookie,
             autosave_body(str(uuid.uuid4()), 0, 1, f"drill words {loop}"), csrf),
        Call("crisis", "GET", "/crisis/"),
    ]


class Hammer:
    """`threads` browsers, each sending round after round (`rounds(n)` gives round n's calls)
    from start() until stop(), which returns every record in the order they were sent."""

    def __init__(self, port: int, rounds: Callable[[int], list[Call]], threads: int) -> None:
        self.port, self.rounds = port, rounds
        self._stop = threading.Event()
        self._records: list[Record] = []
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._browser) for _ in range(threads)]

    def _browser(self) -> None:
        mine: list[Record] = []
        loop = 0
        while not self._stop.is_set():
            for call in self.rounds(loop):
                mine.append(send(self.port, call))
            loop += 1
        with self._lock:
            self._records.extend(mine)

    def start(self) -> Hammer:
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> list[Record]:
        self._stop.set()
        for t in self._threads:
            t.join()
        return sorted(self._records, key=lambda r: r.started)


def tally(records: list[Record]) -> str:
    """'today 200×40 503×3, check-in 200×40' (status counts per kind)."""
    kinds: dict[str, Counter[int]] = {}
    for r in records:
        kinds.setdefault(r.kind, Counter())[r.status] += 1
    return ", ".join(
        f"{kind} " + " ".join(f"{status or 'no-answer'}×{n}" for status, n in sorted(c.items()))
        for kind, c in kinds.items()
    )
