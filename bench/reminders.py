"""Benchmark (not a test): the reminder dispatcher for 10,000 and 100,000 active enrolments.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/recovery_bench DEBUG=1 \
        .venv/bin/python bench/reminders.py [--sizes 10000,100000]

Runs in a throwaway test database (test_<name>, created and dropped here). Every enrolled
patient's daily reminder falls due in the same minute (five time zones, each at its own local
time), so one dispatcher run finds and writes all of them; sending is left out (the enqueue is
counted, not performed). Prints one line of figures: each size's time, the ratio between them
(linear is <= 11), the queries per insert batch, and the dispatcher's rows per second against
a plain INSERT ... SELECT of the same rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from programs.models import Enrolment, Program, ProgramVersion, Week  # noqa: E402
from recovery.models import Clinic, PatientProfile, ReminderLedger, User  # noqa: E402
from recovery.notifications import dispatch as dispatcher  # noqa: E402

NOW = dt.datetime(2025, 6, 3, 9, 0, 30, tzinfo=dt.UTC)  # a Tuesday
# Five zones, each patient's reminder at the local time that is 09:00 UTC on NOW's date.
ZONES = {"UTC": dt.time(9), "Europe/London": dt.time(10), "America/New_York": dt.time(5),
         "Asia/Tokyo": dt.time(18), "Pacific/Kiritimati": dt.time(23)}


def seed(n: int) -> None:
    ReminderLedger.objects.all().delete()
    Enrolment.objects.all().delete()
    PatientProfile.objects.all().delete()
    User.objects.filter(role=User.Role.PATIENT).delete()
    clinic = Clinic.default()
    doc = User.objects.filter(email="bench-doc@example.test").first() or User.objects.create_user(
        "bench-doc@example.test", None, role=User.Role.CLINICIAN, clinic=clinic)
    version = ProgramVersion.objects.filter(program__slug="bench").first()
    if version is None:
        program = Program.objects.create(slug="bench", title="Bench")
        version = ProgramVersion.objects.create(program=program, number=1)
        Week.objects.create(version=version, number=1, title="One")
        version.status = ProgramVersion.Status.PUBLISHED
        version.save()
    zones = list(ZONES)
    users = User.objects.bulk_create(
        [User(email=f"p{i}@bench.test", role=User.Role.PATIENT, clinic=clinic, password="!")
         for i in range(n)], batch_size=5000)
    PatientProfile.objects.bulk_create(
        [PatientProfile(user=u, time_zone=zones[i % len(zones)],
                        reminder_time=ZONES[zones[i % len(zones)]])
         for i, u in enumerate(users)], batch_size=5000, ignore_conflicts=True)
    Enrolment.objects.bulk_create(
        [Enrolment(patient=u, clinician=doc, version=version, program_id=version.program_id,
                   start_date=dt.date(2025, 6, 1)) for u in users], batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def run_dispatch() -> tuple[float, int, int]:
    ReminderLedger.objects.all().delete()
    dispatcher.enqueue = lambda ids: None  # sending is not what is measured
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        report = dispatcher.dispatch(NOW)
        elapsed = time.perf_counter() - started
    return elapsed, report.created, len(queries.captured_queries)


def insert_select() -> tuple[float, int]:
    """The floor: the same rows written by one INSERT ... SELECT, no Python in between."""
    ReminderLedger.objects.all().delete()
    sql = """
        INSERT INTO recovery_reminderledger
            (recipient_id, kind, slot, due_at, status, reason, context, attempts, created_at,
             touched_at)
        SELECT p.user_id, 'daily_practice', '2025-06-03', %s, 'queued', '', '{}', 0, %s, %s
        FROM recovery_patientprofile p
        WHERE p.reminder_time IS NOT NULL
          AND EXISTS (SELECT 1 FROM programs_enrolment e
                      WHERE e.patient_id = p.user_id AND e.status = 'active')
        ON CONFLICT DO NOTHING"""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, [NOW.replace(second=0), NOW, NOW])
        rows = cursor.rowcount
    return time.perf_counter() - started, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if connection.vendor != "postgresql":
        sys.exit("bench/reminders.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        results = {}
        for n in sizes:
            seed(n)
            run_dispatch()  # warm the caches and the plans
            elapsed, created, queries = run_dispatch()
            assert created == n, f"dispatch wrote {created} rows for {n} enrolments"
            floor, rows = insert_select()
            assert rows == n
            batches = -(-created // dispatcher.BATCH_SIZE)
            results[n] = (elapsed, queries / batches, created / elapsed, rows / floor)
        small, large = sizes[0], sizes[-1]
        ratio = results[large][0] / results[small][0]
        parts = [f"{n}: {t:.2f} s, {q:.1f} queries/batch, {r:,.0f} rows/s vs INSERT..SELECT "
                 f"{f:,.0f} rows/s ({r / f:.0%})" for n, (t, q, r, f) in results.items()]
        print(f"reminder dispatch | {' | '.join(parts)} | time ratio {large}/{small}: "
              f"{ratio:.1f} (linear <= {large / small + 1:.0f})")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
