"""The rules of journal entries (journaling.entries), called directly."""

import uuid

import pytest
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from journaling import entries, entry_text, stressors
from journaling.models import JournalEntry, StressorItem
from tests.factories import PatientFactory

V = JournalEntry.Visibility


def words(body: str, **extra):
    return {"kind": "free_writing", "title": "", "recipient": "", "body": body, "data": {},
            "visibility": V.PRIVATE, **extra}


@pytest.fixture
def cid():
    return uuid.uuid4()


# --- creating ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_first_autosave_creates_a_draft_and_a_retry_does_not_duplicate(patient, cid):
    entry, conflict = entries.autosave(patient, cid, 0, words("I am angry"), editor_id="A", editor_seq=1)
    assert not conflict
    assert (entry.status, entry.revision, entry.body) == ("draft", 1, "I am angry")
    assert entry.local_date == patient.local_today()

    # The same request again (its response was lost): still one entry, unchanged.
    again, conflict = entries.autosave(patient, cid, 0, words("I am angry"), editor_id="A", editor_seq=1)
    assert not conflict
    assert again.pk == entry.pk and again.revision == 1
    assert JournalEntry.objects.count() == 1


@pytest.mark.django_db
def test_two_first_saves_racing_meet_on_the_unique_client_id(patient, cid, monkeypatch):
    """The second request does not see the first's row, tries to create, hits the unique
    constraint inside a savepoint and continues with the stored row."""
    entries.autosave(patient, cid, 0, words("first"), editor_id="A", editor_seq=1)
    original_first = QuerySet.first
    calls = []

    def blind_first(self):
        if not calls:
            calls.append(1)
            return None
        return original_first(self)

    monkeypatch.setattr(QuerySet, "first", blind_first)
    entry, conflict = entries.autosave(patient, cid, 0, words("first"), editor_id="A", editor_seq=1)
    assert not conflict and calls
    assert JournalEntry.objects.count() == 1
    assert entry.body == "first"


@pytest.mark.django_db
def test_a_client_id_of_another_patient_is_not_found(patient, cid):
    entries.autosave(patient, cid, 0, words("mine"))
    with pytest.raises(entries.EntryNotFound):
        entries.autosave(PatientFactory(), cid, 1, words("theirs"))
    assert JournalEntry.objects.get().body == "mine"


# --- revisions and conflicts -----------------------------------------------------------


@pytest.mark.django_db
def test_a_save_based_on_an_older_revision_is_refused_and_both_texts_remain(patient, cid):
    entries.autosave(patient, cid, 0, words("v1"), editor_id="tab-a", editor_seq=1)
    # Tab B opened the entry at revision 1 and saved.
    entry, conflict = entries.autosave(patient, cid, 1, words("from tab B"), editor_id="tab-b", editor_seq=1)
    assert not conflict and entry.revision == 2
    # Tab A still thinks it is at revision 1: refused, nothing written.
    stored, conflict = entries.autosave(patient, cid, 1, words("from tab A"), editor_id="tab-a", editor_seq=2)
    assert conflict
    assert stored.body == "from tab B" and stored.revision == 2
    assert JournalEntry.objects.get().body == "from tab B"

    # "Keep mine": tab A overwrites on purpose, based on the current revision.
    kept, conflict = entries.autosave(patient, cid, stored.revision, words("from tab A"),
                                      editor_id="tab-a", editor_seq=3)
    assert not conflict
    assert kept.body == "from tab A" and kept.revision == 3


@pytest.mark.django_db
def test_same_words_on_an_older_revision_are_not_a_conflict(patient, cid):
    entries.autosave(patient, cid, 0, words("same"), editor_id="a", editor_seq=1)
    entries.autosave(patient, cid, 1, words("same", title="t"), editor_id="b", editor_seq=1)
    _, conflict = entries.autosave(patient, cid, 1, words("same", title="t"), editor_id="c")
    assert not conflict


@pytest.mark.django_db
def test_the_same_form_retrying_after_a_lost_response_is_not_a_conflict(patient, cid):
    entries.autosave(patient, cid, 0, words("Dear"), editor_id="a", editor_seq=1)
    entries.autosave(patient, cid, 1, words("Dear Dad"), editor_id="a", editor_seq=2)
    # The response to seq 2 was lost: the form still says revision 1 and typed more.
    entry, conflict = entries.autosave(patient, cid, 1, words("Dear Dad, I"), editor_id="a", editor_seq=3)
    assert not conflict
    assert entry.body == "Dear Dad, I" and entry.revision == 3


@pytest.mark.django_db
def test_an_out_of_order_request_never_overwrites_newer_words_of_the_same_form(patient, cid):
    entries.autosave(patient, cid, 0, words("a"), editor_id="a", editor_seq=1)
    # seq 3 (sent on page hide) arrives before seq 2 (still in flight); both based on 1.
    entries.autosave(patient, cid, 1, words("abc"), editor_id="a", editor_seq=3)
    entry, conflict = entries.autosave(patient, cid, 1, words("ab"), editor_id="a", editor_seq=2)
    assert not conflict
    assert entry.body == "abc"
    assert JournalEntry.objects.get().body == "abc"


@pytest.mark.django_db
def test_save_entry_marks_saved_and_a_double_submission_creates_one_entry(patient, cid):
    fields = words("Today I noticed")
    first, conflict = entries.save_entry(patient, cid, 0, fields, editor_id="f", editor_seq=0)
    assert not conflict and first.status == "saved"
    second, conflict = entries.save_entry(patient, cid, 0, fields, editor_id="f", editor_seq=0)
    assert not conflict and second.pk == first.pk
    assert JournalEntry.objects.count() == 1


@pytest.mark.django_db
def test_save_entry_after_a_lost_autosave_response_still_saves(patient, cid):
    entries.autosave(patient, cid, 0, words("x"), editor_id="f", editor_seq=4)
    entry, conflict = entries.save_entry(patient, cid, 0, words("x"), editor_id="f", editor_seq=4)
    assert not conflict and entry.status == "saved"


@pytest.mark.django_db
def test_save_entry_is_conflict_checked_too(patient, cid):
    entries.autosave(patient, cid, 0, words("one"), editor_id="a", editor_seq=1)
    entries.autosave(patient, cid, 1, words("two"), editor_id="b", editor_seq=1)
    entry, conflict = entries.save_entry(patient, cid, 1, words("three"), editor_id="a", editor_seq=2)
    assert conflict and entry.status == "draft" and entry.body == "two"


@pytest.mark.django_db
def test_autosave_never_demotes_a_saved_entry(patient, cid):
    entries.save_entry(patient, cid, 0, words("done"))
    entry, _ = entries.autosave(patient, cid, 1, words("done, and more"))
    assert entry.status == "saved"
    assert entries.working_copy(entry)["body"] == "done, and more"


@pytest.mark.django_db
def test_autosaved_edits_of_a_shared_entry_stay_unread_until_saved(patient, cid):
    """Defect 2: the care team reads a shared entry as last saved, never a half-written
    edit; the patient's editor continues from the edits; "Save entry" promotes them."""
    shared = words("what I said", title="Monday", visibility=V.CARE_TEAM)
    entry, _ = entries.save_entry(patient, cid, 0, shared, editor_id="e", editor_seq=1)
    entries.autosave(patient, cid, entry.revision, {**shared, "body": "half-writ", "title": "Mon"},
                     editor_id="e", editor_seq=2)
    seen = JournalEntry.objects.shared().get()
    assert (seen.title, seen.body) == ("Monday", "what I said")
    assert entry_text.details(seen) == []
    assert entries.has_unsaved_edits(seen)
    assert entries.working_copy(seen)["body"] == "half-writ"
    # Edits of the privacy wait for the save too: unsharing in the editor is not yet final,
    # and sharing a private entry's edits would not share it either.
    entries.autosave(patient, cid, seen.revision, {**shared, "body": "half-written words"},
                     editor_id="e", editor_seq=3)
    saved, conflict = entries.save_entry(patient, cid, seen.revision + 1,
                                         {**shared, "body": "half-written words"},
                                         editor_id="e", editor_seq=4)
    assert not conflict
    seen = JournalEntry.objects.shared().get()
    assert seen.body == "half-written words" and not entries.has_unsaved_edits(seen)


@pytest.mark.django_db
def test_editing_back_to_the_saved_words_leaves_no_unsaved_edits(patient, cid):
    entry, _ = entries.save_entry(patient, cid, 0, words("x"), editor_id="e", editor_seq=1)
    entry, _ = entries.autosave(patient, cid, entry.revision, words("xy"), editor_id="e", editor_seq=2)
    entry, _ = entries.autosave(patient, cid, entry.revision, words("x"), editor_id="e", editor_seq=3)
    assert not entries.has_unsaved_edits(entry)


@pytest.mark.django_db
def test_a_retried_save_promotes_the_unsaved_edits(patient, cid):
    entry, _ = entries.save_entry(patient, cid, 0, words("a"), editor_id="e", editor_seq=1)
    entries.autosave(patient, cid, entry.revision, words("ab"), editor_id="e", editor_seq=2)
    # "Save entry" based on the revision before the autosave, same words: a retry.
    saved, conflict = entries.save_entry(patient, cid, entry.revision, words("ab"),
                                         editor_id="e", editor_seq=2)
    assert not conflict and saved.body == "ab" and not entries.has_unsaved_edits(saved)


@pytest.mark.django_db
def test_releasing_erases_unsaved_edits_too(patient, cid):
    entry, _ = entries.save_entry(patient, cid, 0, words("a"))
    entries.autosave(patient, cid, entry.revision, words("secret edit"))
    entry = entries.change_visibility(JournalEntry.objects.get(), V.RELEASED)
    assert entry.unsaved_edits is None
    with pytest.raises(IntegrityError), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(unsaved_edits={"body": "sneaked in"})


# --- privacy ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_sharing_sets_shared_at_and_unsharing_clears_it(patient, cid):
    entry, _ = entries.save_entry(patient, cid, 0, words("x", visibility=V.CARE_TEAM))
    assert entry.shared_at is not None and entry.is_shared
    entry = entries.change_visibility(entry, V.PRIVATE)
    assert entry.shared_at is None and not entry.is_shared
    entry = entries.change_visibility(entry, V.CARE_TEAM)
    assert entry.shared_at is not None


@pytest.mark.django_db
def test_a_privacy_change_makes_an_open_form_conflict_instead_of_reverting_it(patient, cid):
    entry, _ = entries.save_entry(patient, cid, 0, words("x", visibility=V.CARE_TEAM), editor_id="a")
    entries.change_visibility(entry, V.PRIVATE)
    # The form still open elsewhere autosaves its radio (care_team) on the old revision.
    stored, conflict = entries.autosave(patient, cid, entry.revision, words("x y", visibility=V.CARE_TEAM),
                                        editor_id="b")
    assert conflict and stored.visibility == V.PRIVATE


@pytest.mark.django_db
def test_release_records_writing_without_words(patient, cid):
    entry = entries.release(patient, cid, kind="unsent_letter", minutes=15)
    assert (entry.visibility, entry.status, entry.minutes) == (V.RELEASED, "saved", 15)
    assert entry.body == entry.title == entry.recipient == "" and entry.data == {}
    again = entries.release(patient, cid, kind="unsent_letter", minutes=15)
    assert again.pk == entry.pk and JournalEntry.objects.count() == 1


@pytest.mark.django_db
def test_releasing_an_autosaved_draft_erases_its_words(patient, cid):
    entries.autosave(patient, cid, 0, words("secret words", title="secret", visibility=V.CARE_TEAM))
    entry = entries.release(patient, cid, kind="free_writing", minutes=5)
    entry.refresh_from_db()
    assert entry.body == "" and entry.title == "" and entry.visibility == V.RELEASED
    assert entry.shared_at is None
    assert not any("secret" in e.body for e in JournalEntry.objects.all())


@pytest.mark.django_db
def test_switching_a_saved_entry_to_released_erases_its_words(patient, cid):
    entry, _ = entries.save_entry(patient, cid, 0, {
        "kind": "symptom_emotion", "data": {"happening": "the call", "emotions": ["anger"]},
        "visibility": V.CARE_TEAM})
    entry = entries.change_visibility(entry, V.RELEASED)
    entry.refresh_from_db()
    assert entry.visibility == V.RELEASED and entry.data == {} and entry.body == ""
    # Released is final: there are no words left to share.
    assert entries.change_visibility(entry, V.CARE_TEAM).visibility == V.RELEASED


@pytest.mark.django_db
def test_nothing_can_write_words_to_a_released_entry(patient, cid):
    entry = entries.release(patient, cid, kind="free_writing")
    with pytest.raises(entries.EntryReleased):
        entries.autosave(patient, cid, entry.revision, words("new words"))
    with pytest.raises(entries.EntryReleased):
        entries.autosave(patient, uuid.uuid4(), 0, words("words", visibility=V.RELEASED))
    assert not JournalEntry.objects.exclude(body="").exists()
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(body="sneaked in")


# --- the stressor inventory -----------------------------------------------------------


@pytest.mark.django_db
def test_a_saved_stressor_entry_adds_to_the_inventory_once(patient, cid):
    fields = {"kind": "stressor_inventory", "body": "", "data": {"pending": {
        "childhood": ["Strict father"], "personality": ["Perfectionism", "Goodism"]}}}
    # Autosaving half-typed lines adds nothing yet.
    entries.autosave(patient, cid, 0, fields, editor_id="s", editor_seq=1)
    assert not StressorItem.objects.exists()
    entry, _ = entries.save_entry(patient, cid, 1, fields, editor_id="s", editor_seq=1)
    entries.save_entry(patient, cid, 1, fields, editor_id="s", editor_seq=1)  # double click
    assert StressorItem.objects.filter(patient=patient).count() == 3
    entry.refresh_from_db()
    assert "pending" not in entry.data
    assert {"category": "childhood", "text": "Strict father"} in entry.data["added"]
    groups = {value: [i.text for i in items] for value, _, items in stressors.inventory(patient)}
    assert groups == {"childhood": ["Strict father"], "personality": ["Perfectionism", "Goodism"],
                      "current": [], "ageing": []}


@pytest.mark.django_db
def test_add_stressor_keeps_one_of_each_line(patient):
    _, created = stressors.add_stressor(patient, "current", "New manager")
    _, again = stressors.add_stressor(patient, "current", "  new   MANAGER ")
    assert created and not again
    with pytest.raises(ValueError):
        stressors.add_stressor(patient, "current", "   ")
    with pytest.raises(ValueError):
        stressors.add_stressor(patient, "nonsense", "x")


# --- reading ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_search_is_case_insensitive_and_only_finds_own_entries(patient):
    other = PatientFactory()
    entries.save_entry(patient, uuid.uuid4(), 0, words("My FATHER never listened"))
    entries.save_entry(patient, uuid.uuid4(), 0, {"kind": "unsent_letter", "recipient": "Father",
                                                  "body": "..."})
    entries.save_entry(patient, uuid.uuid4(), 0, {"kind": "symptom_emotion",
                                                  "data": {"happening": "Call from my father"}})
    entries.save_entry(patient, uuid.uuid4(), 0, words("Work"))
    entries.save_entry(other, uuid.uuid4(), 0, words("my father too"))
    found = entry_text.search(patient, "father")
    assert found.count() == 3
    assert all(e.patient_id == patient.pk for e in found)
    assert entry_text.search(patient, "").count() == 4


@pytest.mark.django_db
def test_snippet_and_details(patient):
    entry, _ = entries.save_entry(patient, uuid.uuid4(), 0, {
        "kind": "symptom_emotion",
        "data": {"intensity": 7, "emotions": ["guilt", "not_good_enough"], "happening": "the call"}})
    assert entry_text.snippet(entry) == "the call"
    assert ("Feelings", "Guilt, “Not good enough”") in entry_text.details(entry)
    assert ("Intensity (0-10)", "7") in entry_text.details(entry)
    released = entries.release(patient, uuid.uuid4(), kind="free_writing", minutes=20)
    assert entry_text.snippet(released) == "Wrote for 20 minutes and released the words."
    long = JournalEntry(body="word " * 100, kind="free_writing", visibility="private", data={})
    assert len(entry_text.snippet(long)) == 160
