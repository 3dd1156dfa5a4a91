"""Regression tests of the journal's defects (issue 7) and its hardening (security issue):
each fails on the code before its fix."""

import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.test import Client

from journaling import entries, entry_text, stressors
from journaling.models import JournalEntry, StressorItem
from tests.conftest import client_for
from tests.factories import PatientFactory, enrol, published_version

V = JournalEntry.Visibility


def _form(kind="free_writing", client_id=None, **fields):
    data = {"client_id": str(client_id or uuid.uuid4()), "base_revision": "0", "kind": kind,
            "editor_id": str(uuid.uuid4()), "editor_seq": "1", "visibility": "private",
            "title": "", "body": "", "action": "save"}
    data.update(fields)
    return data


# --- 1: lost words when the session has ended --------------------------------------------------


@pytest.mark.django_db
def test_autosave_without_a_session_answers_401_json_not_a_sign_in_page():
    response = Client().post("/journal/autosave/", _form(body="words typed after sign-out"),
                             HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["saved"] is False and response.json()["signed_out"] is True
    assert not JournalEntry.objects.exists()


@pytest.mark.django_db
def test_only_a_real_save_answer_says_saved(patient_client):
    # journal.js counts a save only for {"saved": true, "revision": n}.
    ok = patient_client.post("/journal/autosave/", _form(body="x")).json()
    assert ok["saved"] is True and isinstance(ok["revision"], int)


@pytest.mark.django_db
def test_the_form_offers_a_sign_in_link_that_comes_back_to_it(patient_client):
    body = patient_client.get("/journal/new/?kind=free_writing").content.decode()
    assert 'id="signed-out"' in body
    assert "/accounts/login/?next=/journal/new/%3Fkind%3Dfree_writing" in body
    assert 'data-login-url="/accounts/login/"' in body


@pytest.mark.django_db
def test_a_form_posted_after_sign_out_comes_back_to_the_form_after_sign_in():
    response = Client().post("/journal/new/", _form("unsent_letter", exercise="7", body="x"))
    assert response.status_code == 302
    assert response["Location"] == (
        "/accounts/login/?next=/journal/new/%3Fkind%3Dunsent_letter%26exercise%3D7")
    response = Client().post("/journal/5/edit/", _form(body="x"))
    assert response["Location"] == "/accounts/login/?next=/journal/5/edit/"
    assert not JournalEntry.objects.exists()


# --- 2: shared drafts leak ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_care_team_reads_a_shared_entry_as_saved_until_the_patient_saves(
    patient, patient_client, clinician
):
    enrol(patient, clinician, published_version())
    doctor = client_for(clinician)
    cid = uuid.uuid4()
    patient_client.post("/journal/new/", _form(client_id=cid, body="What I chose to share.",
                                               visibility="care_team", editor_id="e"))
    entry = JournalEntry.objects.get()
    patient_client.post("/journal/autosave/", _form(
        client_id=cid, base_revision=str(entry.revision), visibility="care_team",
        body="Half-written, not for anyone yet", editor_id="e", editor_seq="2"))
    page = doctor.get(f"/clinic/patients/{patient.pk}/journal/").content.decode()
    assert "What I chose to share." in page and "Half-written" not in page
    # The patient's editor continues from the edits, and says they are not saved yet.
    editor = patient_client.get(f"/journal/{entry.pk}/edit/").content.decode()
    assert "Half-written, not for anyone yet" in editor
    assert "your care team still reads the last saved version" in editor
    assert "not saved yet" in patient_client.get(f"/journal/{entry.pk}/").content.decode()
    entry.refresh_from_db()
    patient_client.post(f"/journal/{entry.pk}/edit/", _form(
        client_id=cid, base_revision=str(entry.revision), visibility="care_team",
        body="Half-written, now finished.", editor_id="e2"))
    page = doctor.get(f"/clinic/patients/{patient.pk}/journal/").content.decode()
    assert "Half-written, now finished." in page


# --- 6: "Compare the two versions" -------------------------------------------------------------


def test_hidden_wins_over_the_button_display_rule():
    css = (Path(settings.BASE_DIR) / "static/css/app.css").read_text()
    assert re.search(r"\[hidden\]\s*\{\s*display:\s*none\s*!important", css)


@pytest.mark.django_db
def test_compare_on_a_form_without_conflict_saves_nothing(patient, patient_client):
    response = patient_client.post("/journal/new/", _form(action="compare"))
    assert response.status_code == 302
    assert not JournalEntry.objects.exists()
    entry, _ = entries.save_entry(patient, uuid.uuid4(), 0, {"kind": "free_writing", "body": "kept"})
    response = patient_client.post(f"/journal/{entry.pk}/edit/", _form(
        client_id=entry.client_id, base_revision=str(entry.revision), body="mine", action="compare"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.body == "kept" and entry.unsaved_edits is None


@pytest.mark.django_db
def test_compare_after_a_conflict_shows_both_versions_and_writes_nothing(patient, patient_client):
    cid = uuid.uuid4()
    entries.autosave(patient, cid, 0, {"kind": "free_writing", "body": "first"}, editor_id="a")
    entries.autosave(patient, cid, 1, {"kind": "free_writing", "body": "other tab"}, editor_id="b")
    entry = JournalEntry.objects.get()
    response = patient_client.post(f"/journal/{entry.pk}/edit/", _form(
        client_id=cid, base_revision="1", body="this tab", action="compare", editor_id="a"))
    assert response.status_code == 409
    assert "this tab" in response.content.decode() and "other tab" in response.content.decode()
    entry.refresh_from_db()
    assert entry.body == "other tab" and entry.revision == 2


# --- 7: search finds stressor lines --------------------------------------------------------------


@pytest.mark.django_db
def test_search_finds_the_stressor_lines_an_entry_shows(patient, patient_client):
    entries.save_entry(patient, uuid.uuid4(), 0, {"kind": "stressor_inventory", "body": "",
                       "data": {"pending": {"current": ["The mortgage"]}}})
    body = patient_client.get("/journal/", {"q": "MORTGAGE"}).content.decode()
    assert "1 entry" in body and "The mortgage" in body
    # The JSON's own words ("category", a category value) are not the entry's words.
    assert entry_text.search(patient, "category").count() == 0
    assert entry_text.search(patient, "current").count() == 0


# --- 8: over-long text ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_counts_instead_of_cutting_a_paste(patient_client):
    body = patient_client.get("/journal/new/?kind=unsent_letter").content.decode()
    assert "maxlength" not in body.replace("data-maxlength", "")
    assert 'data-maxlength="100000"' in body and 'data-maxlength="200"' in body


@pytest.mark.django_db
def test_a_too_long_body_is_refused_with_one_clear_error_and_kept(patient_client, settings):
    words = "w" * 100_012
    response = patient_client.post("/journal/new/", _form(body=words))
    assert response.status_code == 400
    page = response.content.decode()
    assert "This is 100,012 characters long; the limit is 100,000." in page
    assert "Write something before saving" not in page  # no contradicting second error
    assert "at most 100000 characters" not in page
    assert words in page  # the words are in the form again
    assert '>Saved<' not in page and "Not saved" in page
    assert not JournalEntry.objects.exists()


@pytest.mark.django_db
def test_a_too_long_autosave_is_refused_not_reported_saved(patient_client):
    response = patient_client.post("/journal/autosave/", _form(body="w" * 100_001))
    assert response.status_code == 400
    assert response.json()["saved"] is False
    assert response.json()["error"].startswith("Not saved: This is 100,001 characters long")
    assert not JournalEntry.objects.exists()


@pytest.mark.django_db
def test_a_too_long_stressor_line_is_refused_not_cut(patient_client):
    response = patient_client.post("/journal/new/", _form(
        "stressor_inventory", add_current="short\n" + "x" * 501))
    assert response.status_code == 400
    assert "Line 2 is 501 characters long" in response.content.decode()
    assert not StressorItem.objects.exists()
    with pytest.raises(ValueError):
        stressors.add_stressor(PatientFactory(), "current", "x" * 501)


# --- 13: removing a stressor can be undone ------------------------------------------------------


@pytest.mark.django_db
def test_removing_a_stressor_can_be_undone_without_javascript(patient, patient_client):
    item, _ = stressors.add_stressor(patient, "childhood", "Strict father")
    stressors.add_stressor(patient, "childhood", "Moving house")
    response = patient_client.post(f"/journal/stressors/{item.pk}/remove/")
    assert response["Location"] == "/journal/stressors/?removed=1"
    page = patient_client.get(response["Location"]).content.decode()
    assert "Removed “Strict father”" in page and "Undo" in page
    assert "Undo" not in patient_client.get("/journal/stressors/").content.decode()
    patient_client.post("/journal/stressors/undo/")
    patient_client.post("/journal/stressors/undo/")  # a double click restores it once
    restored = [(i.text, i.created_at) for _, _, items in stressors.inventory(patient) for i in items]
    assert [t for t, _ in restored] == ["Strict father", "Moving house"]  # its old place
    assert restored[0][1] == item.created_at


@pytest.mark.django_db
def test_removing_a_stressor_with_htmx_swaps_in_an_undo(patient, patient_client):
    item, _ = stressors.add_stressor(patient, "ageing", "Turning 50")
    response = patient_client.post(f"/journal/stressors/{item.pk}/remove/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "Removed “Turning 50”" in body and "Undo" in body
    assert "HX-Request" in response["Vary"]
    response = patient_client.post("/journal/stressors/undo/", HTTP_HX_REQUEST="true")
    assert "Turning 50" in response.content.decode() and "Remove" in response.content.decode()
    assert StressorItem.objects.same_line("Turning 50").filter(patient=patient).count() == 1


@pytest.mark.django_db
def test_nobody_else_can_remove_or_undo_my_stressors(patient):
    item, _ = stressors.add_stressor(patient, "ageing", "Turning 50")
    other = client_for(PatientFactory(email="o@example.test"))
    other.post(f"/journal/stressors/{item.pk}/remove/")
    other.post("/journal/stressors/undo/")
    assert StressorItem.objects.filter(patient=patient).count() == 1


# --- hardening: no 500s, no duplicates -----------------------------------------------------------


@pytest.mark.django_db
def test_a_nul_byte_in_search_is_a_clear_400(patient_client):
    response = patient_client.get("/journal/?q=a%00b")
    assert response.status_code == 400
    assert "Search words cannot contain that character." in response.content.decode()


@pytest.mark.django_db
def test_a_nul_byte_in_the_words_is_refused_with_a_message_not_saved_as_saved(patient_client):
    response = patient_client.post("/journal/autosave/", _form(body="before\x00after"))
    assert response.status_code == 400 and response.json()["saved"] is False
    assert "cannot be saved" in response.json()["error"]
    response = patient_client.post("/journal/new/", _form(body="before\x00after"))
    assert response.status_code == 400 and "cannot be saved" in response.content.decode()
    assert not JournalEntry.objects.exists()


@pytest.mark.django_db
def test_an_enormous_change_counter_is_a_400_not_a_500(patient_client):
    response = patient_client.post("/journal/autosave/", _form(
        body="x", editor_seq="9223372036854775808"))
    assert response.status_code == 400 and response.json()["saved"] is False
    response = patient_client.post("/journal/autosave/", _form(
        body="x", base_revision="99999999999999999999999"))
    assert response.status_code == 400
    assert not JournalEntry.objects.exists()


@pytest.mark.django_db
def test_the_database_keeps_one_of_each_stressor_line(patient):
    StressorItem.objects.create(patient=patient, category="current", text="Mortgage",
                                local_date=patient.local_today())
    with pytest.raises(IntegrityError), transaction.atomic():
        StressorItem.objects.create(patient=patient, category="current", text="MORTGAGE",
                                    local_date=patient.local_today())


def _blind_first_once(monkeypatch):
    """The next QuerySet.first() sees nothing, as a request racing another one would."""
    original = QuerySet.first
    calls = []

    def blind(self):
        if not calls:
            calls.append(1)
            return None
        return original(self)

    monkeypatch.setattr(QuerySet, "first", blind)
    return calls


@pytest.mark.django_db
def test_two_identical_stressor_posts_racing_create_one(patient, patient_client, monkeypatch):
    patient_client.post("/journal/stressors/", {"category": "current", "text": "Mortgage"})
    calls = _blind_first_once(monkeypatch)
    response = patient_client.post("/journal/stressors/", {"category": "current", "text": "Mortgage"})
    assert calls and response.status_code == 302
    assert StressorItem.objects.filter(patient=patient).count() == 1


@pytest.mark.django_db
def test_two_release_posts_with_one_client_id_racing_make_one_entry(patient_client, monkeypatch):
    cid = str(uuid.uuid4())
    patient_client.post("/journal/release/", {"client_id": cid, "kind": "free_writing"})
    # The second request's lookup ran before the first one's row was committed.
    original = entries._locked
    calls = []

    def blind(client_id):
        if not calls:
            calls.append(1)
            return None
        return original(client_id)

    monkeypatch.setattr(entries, "_locked", blind)
    response = patient_client.post("/journal/release/", {"client_id": cid, "kind": "free_writing"})
    assert calls and response.status_code == 302
    assert JournalEntry.objects.count() == 1
