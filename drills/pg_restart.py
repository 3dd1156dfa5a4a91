"""Drill: PostgreSQL restarted under load.

Four simulated browsers load Today (a signed-in patient) against gunicorn; after a few
seconds the drill runs `pg_ctl restart -m fast` on its own PostgreSQL (which ends every
connection), keeps the load on, and checks:

- every request answered: 200, or during the restart the 503 "try again in a moment" page
  (recovery.middleware.DatabaseUnavailableMiddleware) — never a 500, a traceback, or no answer;
- the same gunicorn serves again afterwards (no restart of the app): every request sent from
  one second after the restart finished answers 200 (CONN_HEALTH_CHECKS replaces the dead
  persistent connections), and /healthz says the database is ok.

    python -m drills.pg_restart        (exit 0 when it holds; one summary line at the end)
"""

from __future__ import annotations

import json
import sys
import time

from .app import signed_in, start_gunicorn, start_services
from .client import Call, Hammer, send, tally

BROWSERS = 4
BEFORE, AFTER = 3.0, 5.0  # seconds of load before the restart, and after it finished
SETTLE = 1.0  # requests sent this long after the restart finished must all be 200


def health_of(body: str, check: str) -> dict[str, object]:
    """One check's line of a /healthz answer ({} when the answer is not its JSON)."""
    try:
        return dict(json.loads(body)["checks"][check])
    except (ValueError, KeyError, TypeError):
        return {}


def main() -> int:
    stack = start_services()
    try:
        server = start_gunicorn(stack)
        port = server.port
        cookie, _ = signed_in("patient@demo.test")
        today = Call("today", "GET", "/today/", cookie)
        first = send(port, today)
        if first.status != 200:
            print(f"pg-restart drill: FAILED before the fault: Today answered {first.status}")
            return 1
        load = Hammer(port, lambda n: [today], BROWSERS).start()
        time.sleep(BEFORE)
        restart_began = time.monotonic()
        took = stack.pg.restart("fast")
        back = time.monotonic()
        time.sleep(AFTER)
        records = load.stop()
        health = send(port, Call("healthz", "GET", "/healthz"))
    finally:
        stack.close()

    clean = [r for r in records if r.status == 503 and "Please try again in a moment" in r.body
             and r.headers.get("retry-after")]
    bad = [r for r in records if r.status != 200 and r not in clean]
    after = [r for r in records if r.started >= back + SETTLE]
    not_recovered = [r for r in after if r.status != 200]
    during = [r for r in records if restart_began <= r.started <= back]
    first_ok = next((r.started + r.seconds - back for r in records
                     if r.status == 200 and r.started >= back), None)
    db_ok = health_of(health.body, "database").get("ok") is True

    print(f"  requests: {tally(records)}")
    print(f"  pg_ctl restart -m fast took {took:.1f} s; {len(during)} requests sent during it "
          f"answered {tally(during) or 'nothing'}")
    print(f"  clean 503 'try again' pages: {len(clean)}; other non-200 answers: {len(bad)}")
    for r in bad[:3]:
        print(f"    {r.status}: {r.body[:300]!r}")
    print(f"  after the restart: first 200 {first_ok:.2f} s after it finished; "
          f"{len(after)} requests from +{SETTLE:g} s, {len(not_recovered)} not 200; "
          f"/healthz database ok: {db_ok}" if first_ok is not None else
          "  after the restart: no 200 at all")
    # /healthz as a whole says 503 here (no worker heartbeat in this drill): only its database
    # line must be ok.
    ok = not bad and not not_recovered and bool(after) and first_ok is not None and db_ok
    verdict = "OK" if ok else "FAILED"
    print(f"pg-restart drill: {verdict} — {len(records)} requests under a `pg_ctl restart -m fast`"
          f" ({took:.1f} s): {sum(r.status == 200 for r in records)} × 200, {len(clean)} × clean "
          f"503, {len(bad)} × other; recovered without restarting gunicorn: "
          f"{'yes' if not not_recovered and after else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
