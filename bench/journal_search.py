"""Benchmark (not a test): journal search over encrypted words for a year of writing.

    DEBUG=1 .venv/bin/python bench/journal_search.py [--entries 1000] [--repeat 15]
    (DATABASE_URL=postgres://... for PostgreSQL; a throwaway test database either way)

The words are encrypted at rest, so journaling.entry_text.search decrypts the one patient's
entries and filters in Python. Prints one line: the median wall and CPU time of a search answering the
journal's first page, for a word found in few entries and in most, against the same page with
no search (the floor), and the ratio between them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from journaling import entry_text  # noqa: E402
from journaling.models import JournalEntry  # noqa: E402
from recovery.models import Clinic, User  # noqa: E402

WORDS = ["work", "pressure", "anger", "father", "mother", "guilt", "neck", "back", "calm", "walk", "sleep", "tired", "angry", "manager", "deadline", "worry", "sad", "proud", "tense", "release", "breath", "letter", "shoulder", "morning"]


def make_year(patient: User, n: int) -> None:
    rng = random.Random(7)
    start = dt.date(2025, 1, 1)
    kinds = ["free_writing", "unsent_letter", "symptom_emotion", "affirmation"]
    rows = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(80, 300)))
        data = {}
        if kind == "symptom_emotion":
            data = {"happening": " ".join(rng.choice(WORDS) for _ in range(12)),
                    "intensity": rng.randint(0, 10), "emotions": ["anger"], "flare": True}
            body = ""
        rows.append(JournalEntry(
            patient=patient, local_date=start + dt.timedelta(days=i * 365 // n), kind=kind,
            title=f"Entry {i}", recipient="Dad" if kind == "unsent_letter" else "",
            body=body, data=data, status="saved",
        ))
    if n:
        rows[n // 2].body += " zanzibar"  # a word found in one entry
    JournalEntry.objects.bulk_create(rows, batch_size=500)


def first_page_ms(patient: User, query: str, repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process (ms): on a shared machine the
    CPU time is the steadier figure (the database's own time is not in it)."""
    times, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        qs = entry_text.search(patient, query).order_by("-local_date", "-created_at", "-pk")
        page = list(qs[:20])
        qs.count()  # the paginator's count
        [entry_text.snippet(e) for e in page]
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(times), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        patient = User.objects.create(email="bench@example.test", role=User.Role.PATIENT,
                                      clinic=Clinic.default())
        make_year(patient, args.entries)
        floor = first_page_ms(patient, "", args.repeat)
        rare = first_page_ms(patient, "zanzibar", args.repeat)
        common = first_page_ms(patient, "anger", args.repeat)
        print(
            f"journal search, {args.entries} encrypted entries ({connection.vendor}), "
            f"wall/CPU ms: rare word {rare[0]:.0f}/{rare[1]:.0f}, "
            f"common word {common[0]:.0f}/{common[1]:.0f}, no search {floor[0]:.0f}/{floor[1]:.0f}; "
            f"ratio {max(rare[0], common[0]) / max(floor[0], 0.001):.1f}x"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
