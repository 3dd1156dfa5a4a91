"""Drill: a Celery worker killed (SIGKILL) in the middle of sending reminders.

This is the reminders issue's fault test, tests/notifications/test_worker.py
(`test_a_worker_killed_mid_send_loses_nothing_and_duplicates_at_most_one`): a real
`celery worker` subprocess is killed while its task is inside send(), a second one is started,
and the test asserts that no reminder is lost, that the ledger keeps exactly one row per
reminder, and at most one duplicate email per killed task (at-least-once delivery). The drill
runs that test, unchanged, against its own redis-server (the broker) and PostgreSQL, and prints
what it measured.

    python -m drills.worker_kill       (exit 0 when it holds; one summary line at the end)
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

from .app import DB_NAME, ROOT, start_services

ATTEMPTS = 2
TEST = ("tests/notifications/test_worker.py::"
        "test_a_worker_killed_mid_send_loses_nothing_and_duplicates_at_most_one")


def main() -> int:
    stack = start_services()
    try:
        env = {
            **stack.env,
            # The test suite's own settings (pytest.ini_options), on this drill's servers;
            # its database is the migrated copy start_services() made (--reuse-db).
            "DJANGO_SETTINGS_MODULE": "recovery.settings",
            "DEBUG": "1",
            "REQUIRE_SERVICES": "1",
            "DATABASE_URL": stack.pg.url(DB_NAME),  # pytest-django adds the "test_"
            "REDIS_URL": stack.redis.url(1),
        }
        env.pop("CELERY_BROKER_URL", None)
        attempts: list[tuple[subprocess.CompletedProcess[str], float]] = []
        for _ in range(ATTEMPTS):
            started = time.monotonic()
            result = subprocess.run(  # noqa: S603
                [sys.executable, "-m", "pytest", TEST, "-q", "--reuse-db", "-p",
                 "no:cacheprovider", "--no-cov"],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
            )
            attempts.append((result, time.monotonic() - started))
            if result.returncode == 0:
                break
    finally:
        stack.close()
    for n, (result, seconds) in enumerate(attempts, 1):
        out = result.stdout + result.stderr
        match = re.search(r"\[fault test\] (.*)", out)
        if result.returncode != 0:
            failure = re.search(r"^E\s+(Failed: .*|assert .*)$", out, re.MULTILINE)
            print(out[-3000:] if failure is None else f"  attempt {n} failed: {failure.group(1)}")
        print(f"  attempt {n}: {TEST} on the drill's own Redis (broker) and PostgreSQL, "
              f"{seconds:.0f} s: {'passed' if result.returncode == 0 else 'FAILED'}")
    passed = result.returncode == 0 and match is not None
    if match:
        print(f"  {match.group(0)}")
    # A second attempt is allowed because the test waits a fixed 25 s for a fresh worker to
    # start, which a very busy machine can miss; a failure of both is a failure. Both show.
    retried = f" (attempt {len(attempts)} of {ATTEMPTS})" if len(attempts) > 1 else ""
    print(f"worker-kill drill: {'OK' if passed else 'FAILED'}{retried} — "
          f"{match.group(1) if match else 'see above'}; nothing lost, one ledger row per "
          f"reminder, at most one duplicate email per killed task (asserted by the test)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
