"""Journal search over encrypted words (issue 11, item 7): the ONE patient's entries are
decrypted and filtered in Python (journaling.entry_text.search); results, order and paging are what
the SQL search gave, and nothing of another patient's is ever read."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from journaling import entries, entry_text
from journaling.models import JournalEntry
from tests.factories import PatientFactory

DAY = dt.date(2026, 1, 1)


def entry(patient, i: int, body: str = "", **fields) -> JournalEntry:
    return JournalEntry.objects.create(
        patient=patient, local_date=DAY + dt.timedelta(days=i), status="saved",
        body=body, **{"data": {}, **fields},
    )


@pytest.mark.django_db
def test_search_looks_where_each_kind_says_and_nowhere_else(patient):
    letter = entry(patient, 1, kind="unsent_letter", recipient="Dear Father", body="...")
    titled = entry(patient, 2, kind="free_writing", title="About my FATHER", body="x")
    flare = entry(patient, 3, kind="symptom_emotion",
                  data={"happening": "a call from Father", "intensity": 6, "flare": True})
    lines = entry(patient, 4, kind="stressor_inventory",
                  data={"added": [{"category": "childhood", "text": "Strict father"}]})
    # A word in a field its kind does not show, or in a pending autosave, is not found.
    entry(patient, 5, kind="affirmation", body="Calm", recipient="father")
    draft = entry(patient, 6, kind="free_writing", body="Nothing yet")
    draft.unsaved_edits = {"body": "father"}
    draft.save()
    found = set(entry_text.search(patient, "  fAtHeR "))
    assert found == {letter, titled, flare, lines}
    assert entry_text.search(patient, "childhood").count() == 0  # a category, not a line


@pytest.mark.django_db
def test_another_patients_entries_are_never_decrypted_or_found(patient):
    other = PatientFactory(email="other@example.test")
    mine = entry(patient, 1, body="the mortgage")
    entry(other, 1, body="the mortgage too")
    with CaptureQueriesContext(connection) as queries:
        found = list(entry_text.search(patient, "mortgage"))
    assert found == [mine]
    scan = [q["sql"] for q in queries.captured_queries if '"body"' in q["sql"]]
    assert scan and all('"patient_id" = ' in q for q in scan)  # one patient's rows only


@pytest.mark.django_db
def test_order_and_paging_are_those_of_the_journal(patient, patient_client):
    # 25 matches among 40 entries: more hits than misses takes the other SQL path.
    made = [entry(patient, i, body=f"day {i}: {'pain' if i % 8 < 5 else 'calm'}")
            for i in range(40)]
    hits = [e for e in made if "pain" in e.body]
    newest_first = sorted(hits, key=lambda e: (e.local_date, e.created_at, e.pk), reverse=True)
    assert list(entry_text.search(patient, "PAIN").order_by("-local_date", "-created_at", "-pk")) \
        == newest_first
    first = patient_client.get("/journal/", {"q": "pain"}).content.decode()
    second = patient_client.get("/journal/", {"q": "pain", "page": 2}).content.decode()
    assert "day 39: pain" not in first  # 39 % 8 == 7: calm
    assert "day 36: pain" in first and "day 0: pain" in second
    assert first.index("day 36: pain") < first.index("day 33: pain")
    # Fewer hits than misses: the other path, the same answer.
    assert {e.pk for e in entry_text.search(patient, "calm")} == {
        e.pk for e in made if "calm" in e.body}


@pytest.mark.django_db
def test_an_empty_query_lists_everything_and_a_kind_filter_still_applies(patient):
    entry(patient, 1, body="one")
    letter = entry(patient, 2, kind="unsent_letter", recipient="Mum", body="one")
    assert entry_text.search(patient, "").count() == 2
    assert list(entry_text.search(patient, "one").filter(kind="unsent_letter")) == [letter]


@pytest.mark.django_db
def test_a_saved_entry_is_found_by_its_new_words(patient):
    saved, _ = entries.save_entry(patient, uuid.uuid4(), 0, {"kind": "free_writing",
                                                              "body": "Ünïcode grief"})
    assert list(entry_text.search(patient, "ÜNÏCODE")) == [saved]
