"""`make load`: 50 simulated patients at once against gunicorn on PostgreSQL (issue 13, item 4).

Each simulated patient (a thread with its own signed-in session, enrolled in the MBM workshop
like the demo patient) goes round: Today → check-in (the htmx POST the Today form sends) →
a new journal entry autosaved twice (created, then typed on), as static/js/journal.js sends it.
After LOAD_SECONDS (default 60) the drill checks, in the database:

- zero errors (anything but 200, or no answer);
- check-ins: exactly one row per patient for their local day, holding the last values sent
  (nothing lost, nothing doubled; the patients' zone puts them at midday, so a run never
  crosses their midnight);
- journal entries: exactly one per client_id sent, no other, each with the last words sent.

It prints p50/p95 per request kind and the requests per second: a benchmark line, not a
timed assertion (a busy machine is slower, not wrong).

    LOAD_SECONDS=15 python -m drills.load      (CI's short run)
Environment: LOAD_PATIENTS (50), LOAD_SECONDS (60), LOAD_WORKERS (gunicorn sync workers, 4).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from .app import signed_in, start_gunicorn, start_services
from .client import Call, Record, autosave_body, send

PATIENTS = int(os.environ.get("LOAD_PATIENTS", 50))
SECONDS = float(os.environ.get("LOAD_SECONDS", 60))
WORKERS = int(os.environ.get("LOAD_WORKERS", 4))


@dataclass
class Patient:
    email: str
    cookie: str = ""
    csrf: str = ""
    records: list[Record] = field(default_factory=list)
    last_checkin: tuple[int, int, int] | None = None
    entries: dict[str, str] = field(default_factory=dict)  # client_id -> last words saved


def midday_zone(now: dt.datetime) -> str:
    """An Etc/GMT zone where it is about noon now (Etc/GMT-3 is UTC+3)."""
    offset = 12 - now.hour
    if offset > 14:
        offset -= 24
    return "Etc/UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"


def create_patients(count: int, zone: str) -> list[Patient]:
    """`count` patients like the demo's: in the default clinic, with the demo clinician,
    enrolled (through the programmes engine) in the MBM workshop a week ago."""
    from allauth.account.models import EmailAddress

    from programs import enrolments
    from programs.models import Program
    from recovery.models import Clinic, User

    clinic = Clinic.default()
    clinician = User.objects.get(email="clinician@demo.test")
    program = Program.objects.get(slug="mbm-workshop")
    patients = []
    for n in range(count):
        email = f"load-{n:02d}@load.test"
        user = User.objects.create_user(email, None, role=User.Role.PATIENT, clinic=clinic)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        user.patient_profile.display_name = f"Load patient {n:02d}"
        user.patient_profile.time_zone = zone
        user.patient_profile.save()
        enrolments.enrol(user, clinician, user.local_today() - dt.timedelta(days=7),
                         program=program)
        patient = Patient(email)
        patient.cookie, patient.csrf = signed_in(email)
        patients.append(patient)
    return patients


def simulate(port: int, p: Patient, deadline: float) -> None:
    loop = 0
    while time.monotonic() < deadline:
        p.records.append(send(port, Call("today", "GET", "/today/", p.cookie)))
        scores = (loop % 11, (loop * 3) % 11, (loop * 7) % 11)
        r = send(port, Call("check-in", "POST", "/today/check-in/", p.cookie,
                            urlencode(dict(zip(("pain", "stress", "mood"), scores, strict=True))),
                            p.csrf, htmx=True))
        p.records.append(r)
        if r.status == 200:
            p.last_checkin = scores
        client_id = str(uuid.uuid4())
        revision = 0
        for seq, words in enumerate((f"first words {loop}", f"first words {loop}, and more"), 1):
            r = send(port, Call("autosave", "POST", "/journal/autosave/", p.cookie,
                                autosave_body(client_id, revision, seq, words), p.csrf))
            p.records.append(r)
            saved = _json(r.body) if r.status == 200 else {}
            if not saved.get("saved"):
                break
            revision = int(str(saved["revision"]))
            p.entries[client_id] = words
        loop += 1


def _json(body: str) -> dict[str, object]:
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000 if ordered else 0.0


def verify(patients: list[Patient]) -> list[str]:
    """What the database holds against what was sent: the list of problems."""
    from journaling.models import CheckIn, JournalEntry
    from recovery.models import User

    problems = []
    for p in patients:
        user = User.objects.get(email=p.email)
        checkins = list(CheckIn.objects.filter(patient=user))
        expected = 1 if p.last_checkin else 0
        if len(checkins) != expected:
            problems.append(f"{p.email}: {len(checkins)} check-ins, expected {expected}")
        elif checkins and (checkins[0].pain, checkins[0].stress, checkins[0].mood) != p.last_checkin:
            problems.append(f"{p.email}: check-in holds {checkins[0].pain, checkins[0].stress, checkins[0].mood}, last sent {p.last_checkin}")
        elif checkins and checkins[0].local_date != user.local_today():
            problems.append(f"{p.email}: check-in on {checkins[0].local_date}, not their today")
        stored = {str(client_id): body for client_id, body in
                  JournalEntry.objects.filter(patient=user).values_list("client_id", "body")}
        if set(stored) != set(p.entries):
            problems.append(f"{p.email}: {len(stored)} journal entries for {len(p.entries)} "
                            f"client ids sent ({len(set(stored) - set(p.entries))} unexpected, "
                            f"{len(set(p.entries) - set(stored))} lost)")
        changed = [c for c, words in p.entries.items() if stored.get(c) != words]
        if changed:
            problems.append(f"{p.email}: {len(changed)} entries without their last words")
    return problems


def main() -> int:
    stack = start_services()
    try:
        from django.db import connections

        zone = midday_zone(dt.datetime.now(dt.UTC))
        t = time.monotonic()
        patients = create_patients(PATIENTS, zone)
        print(f"  {PATIENTS} patients created and signed in ({zone}) in {time.monotonic() - t:.1f} s",
              flush=True)
        server = start_gunicorn(stack, WORKERS)
        warm = send(server.port, Call("today", "GET", "/today/", patients[0].cookie))
        if warm.status != 200:
            print(f"load: FAILED before the load: Today answered {warm.status}")
            return 1
        started = time.monotonic()
        deadline = started + SECONDS
        threads = [threading.Thread(target=simulate, args=(server.port, p, deadline))
                   for p in patients]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        elapsed = time.monotonic() - started
        connections.close_all()
        problems = verify(patients)
    finally:
        stack.close()

    records = [r for p in patients for r in p.records]
    errors = [r for r in records if r.status != 200]
    by_kind: dict[str, list[float]] = defaultdict(list)
    for r in records:
        if r.status == 200:
            by_kind[r.kind].append(r.seconds)
    print(f"load {dt.datetime.now():%Y-%m-%d %H:%M} | {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} | gunicorn {WORKERS} sync workers, "
          f"PostgreSQL, Redis | {PATIENTS} patients for {elapsed:.0f} s")
    for kind, seconds in by_kind.items():
        print(f"  {kind:<10} {len(seconds):6d} requests  rps {len(seconds) / elapsed:6.1f}  "
              f"p50 {_pct(seconds, 50):7.1f}ms  p95 {_pct(seconds, 95):7.1f}ms")
    print(f"  all        {len(records):6d} requests  rps {len(records) / elapsed:6.1f}  "
          f"p50 {_pct([r.seconds for r in records], 50):7.1f}ms  "
          f"p95 {_pct([r.seconds for r in records], 95):7.1f}ms  errors {len(errors)}")
    for r in errors[:5]:
        print(f"    error: {r.kind} {r.status} {r.body[:200]!r}")
    for problem in problems[:10]:
        print(f"    data: {problem}")
    checkins = sum(1 for p in patients if p.last_checkin)
    entries = sum(len(p.entries) for p in patients)
    ok = not errors and not problems and bool(records)
    print(f"load: {'OK' if ok else 'FAILED'} — {len(records)} requests, {len(errors)} errors; "
          f"{checkins} check-ins for {PATIENTS} patients (one each, last values kept), "
          f"{entries} journal entries == {entries} client ids sent: "
          f"{'no row lost or doubled' if not problems else f'{len(problems)} DATA PROBLEMS'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
