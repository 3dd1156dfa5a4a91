"""Drill: Redis stopped mid-run.

Two simulated patients go round Today → check-in (htmx POST) → journal autosave → /crisis/
against gunicorn, with the cache and the Celery broker on the drill's own redis-server. After
a few seconds the drill stops Redis; while it is down, someone signs in through the real form
and a patient submits a PHQ-9 with item 9 above 0; then Redis is started again. It checks:

- zero 5xx (or unanswered) requests before, during and after, and every kind of request
  answered while Redis was down;
- signing in works (allauth's rate limiter counts in local memory meanwhile);
- the PHQ-9 still creates its SafetyAlert, and the care team's reminder row is written
  (queued: the sweep sends it once the broker is back);
- /healthz says "degraded" with the cache on local memory while Redis is down, and the
  cache is back on Redis within seconds after it returns.

    python -m drills.redis_down        (exit 0 when it holds; one summary line at the end)
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import time
import uuid
from urllib.parse import urlencode

from .app import signed_in, start_gunicorn, start_services
from .client import HOST, Call, Hammer, Record, patient_calls, send, tally
from .pg_restart import health_of

BROWSERS = 2
BEFORE, DOWN, AFTER = 3.0, 8.0, 4.0
PASSWORD = "recovery-demo"  # the demo accounts' (seed_demo)


def sign_in(port: int, email: str) -> tuple[int, str]:
    """allauth's form as a browser posts it: (status, Location)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    conn.request("GET", "/accounts/login/")
    resp = conn.getresponse()
    page = resp.read().decode(errors="replace")
    cookies = "; ".join(c.split(";", 1)[0] for c in resp.msg.get_all("Set-Cookie") or [])
    conn.close()
    if resp.status != 200:
        return resp.status, "login page"
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    token = match.group(1) if match else ""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    conn.request("POST", "/accounts/login/",
                 body=urlencode({"login": email, "password": PASSWORD,
                                 "csrfmiddlewaretoken": token}),
                 headers={"Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded",
                          "Referer": f"http://{HOST}:{port}/accounts/login/"})
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp.status, resp.getheader("Location") or ""


def phq9_with_item_9(port: int, cookie: str, csrf: str) -> Record:
    answers = {f"item-{n}": "1" for n in range(1, 10)}
    body = urlencode({**answers, "action": "submit", "client_id": str(uuid.uuid4())})
    return send(port, Call("phq-9", "POST", "/questionnaires/PHQ-9/", cookie, body, csrf))


def main() -> int:
    stack = start_services()
    try:
        from outcomes.models import SafetyAlert
        from recovery.models import ReminderLedger, User

        server = start_gunicorn(stack)
        port = server.port
        cookie, csrf = signed_in("patient@demo.test")
        # The PHQ-9 is answered by another demo patient (one without an alert yet).
        other = (User.objects.filter(role=User.Role.PATIENT, email__endswith="@demo.test",
                                     is_active=True)
                 .exclude(email="patient@demo.test")
                 .exclude(pk__in=SafetyAlert.objects.values("patient_id")).first())
        assert other is not None, "the demo has more patients"
        other_cookie, other_csrf = signed_in(other.email)
        warm = [send(port, call) for call in patient_calls(cookie, csrf, 0)]
        if any(r.status != 200 for r in warm):
            print(f"redis-down drill: FAILED before the fault: {tally(warm)}")
            return 1
        alerts_before = SafetyAlert.objects.filter(patient=other).count()

        load = Hammer(port, lambda n: patient_calls(cookie, csrf, n), BROWSERS).start()
        time.sleep(BEFORE)
        stack.redis.stop()
        down_at = time.monotonic()
        signin = sign_in(port, "patient@demo.test")
        phq9 = phq9_with_item_9(port, other_cookie, other_csrf)
        health_down = send(port, Call("healthz", "GET", "/healthz"))
        time.sleep(max(0.0, DOWN - (time.monotonic() - down_at)))
        stack.redis.start()  # same port
        up_at = time.monotonic()
        time.sleep(AFTER)
        health_up = send(port, Call("healthz", "GET", "/healthz"))
        records = load.stop()

        alert = SafetyAlert.objects.filter(patient=other).order_by("-pk").first()
        alerts_after = SafetyAlert.objects.filter(patient=other).count()
        ledger = list(ReminderLedger.objects.filter(
            kind="safety_alert", slot=f"alert-{alert.pk if alert else 0}"
        ).values_list("status", flat=True))
    finally:
        stack.close()

    during = [r for r in records if down_at <= r.started < up_at]
    failed = [r for r in [*records, phq9] if r.server_error]
    kinds_during = {r.kind for r in during if r.status == 200}
    cache_down = health_of(health_down.body, "cache").get("detail")
    cache_up = health_of(health_up.body, "cache").get("detail")
    status_down = _status(health_down.body)
    slowest = max((r.seconds for r in during), default=0.0)

    print(f"  all requests: {tally(records)}")
    print(f"  while Redis was down ({DOWN:g} s): {tally(during)}; slowest {slowest:.2f} s")
    print(f"  sign-in with Redis down: {signin[0]} → {signin[1] or '-'}")
    print(f"  PHQ-9 item 9 = 1 with Redis down: {phq9.status}; safety alerts "
          f"{alerts_before} → {alerts_after}; care-team reminder rows {ledger}")
    print(f"  /healthz while down: {status_down}, cache {cache_down}")
    print(f"  /healthz after Redis returned: {_status(health_up.body)}, cache {cache_up}")
    print("  behaviour: the cache (allauth rate-limit counters, used-TOTP marks) falls over to "
          "each gunicorn worker's local memory (recovery/cache.py: 1 s socket timeouts, retries "
          "Redis every CACHE_RETRY_SECONDS); rate limits then count per worker process; tasks "
          "that cannot be enqueued stay queued in the ledger and the sweep sends them later")
    problems = []
    if failed:
        problems.append(f"{len(failed)} 5xx/unanswered: " + "; ".join(
            f"{r.kind} {r.status} {r.body[:120]!r}" for r in failed[:3]))
    missing = {"today", "check-in", "autosave", "crisis"} - kinds_during
    if missing:
        problems.append(f"not answered 200 while Redis was down: {sorted(missing)}")
    if signin[0] != 302 or "login" in signin[1]:
        problems.append(f"sign-in answered {signin}")
    if phq9.status != 200 or alerts_after != alerts_before + 1 or not ledger:
        problems.append("the PHQ-9 did not create exactly one safety alert with its reminder")
    if not (isinstance(cache_down, dict) and cache_down.get("backend") == "local-memory"):
        problems.append(f"/healthz did not show the local-memory fallback: {cache_down}")
    if not (isinstance(cache_up, dict) and cache_up.get("backend") == "redis"):
        problems.append(f"the cache did not return to Redis: {cache_up}")
    for p in problems:
        print(f"  PROBLEM: {p}")
    verdict = "OK" if not problems else "FAILED"
    print(f"redis-down drill: {verdict} — {len(records)} requests, {len(during)} with Redis down, "
          f"{len(failed)} × 5xx; sign-in {signin[0]}; safety alert created: "
          f"{'yes' if alerts_after == alerts_before + 1 else 'NO'}; cache back on Redis: "
          f"{'yes' if isinstance(cache_up, dict) and cache_up.get('backend') == 'redis' else 'NO'}")
    return 0 if not problems else 1


def _status(body: str) -> str:
    """'degraded', or 'failing (broker, worker)': the headline of a /healthz answer."""
    try:
        report = json.loads(body)
    except ValueError:
        return body[:60]
    failing = report.get("failing") or []
    return f"{report.get('status')}" + (f" ({', '.join(failing)})" if failing else "")


if __name__ == "__main__":
    sys.exit(main())
