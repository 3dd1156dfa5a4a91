"""The patient's journal pages, as the patient, their clinician and another clinician see them."""

import datetime as dt
import uuid

import pytest
from django.urls import NoReverseMatch, reverse

from journaling import entries
from journaling.models import ExerciseCompletion, JournalEntry, StressorItem
from programs.models import Enrolment, ExerciseTemplate, Program, ProgramVersion, Week
from tests.conftest import client_for
from tests.factories import PatientFactory

V = JournalEntry.Visibility


def _version(slug="p", prompt="Write about what made you angry this week."):
    program = Program.objects.create(slug=slug, title=f"Programme {slug}")
    version = ProgramVersion.objects.create(program=program, number=1)
    Week.objects.create(version=version, number=1, title="One")
    ExerciseTemplate.objects.create(
        version=version, slug="letter", kind="unsent_letter", title="A letter you never send",
        instructions="Write a letter.", prompt=prompt, weeks=[1],
    )
    ExerciseTemplate.objects.create(
        version=version, slug="audio", kind="meditation_audio", title="Meditation",
        instructions="Listen.", weeks=[1],
    )
    version.status = ProgramVersion.Status.PUBLISHED
    version.save()
    return version


def _enrol(patient, clinician, version):
    return Enrolment.objects.create(
        patient=patient, clinician=clinician, version=version, start_date=patient.local_today()
    )


def _entry(patient, body="words", **kw):
    defaults = {"kind": "free_writing", "visibility": V.PRIVATE, "status": "saved",
                "local_date": dt.date(2026, 1, 10)}
    return JournalEntry.objects.create(patient=patient, body=body, **{**defaults, **kw})


def _form(kind="free_writing", client_id=None, **fields):
    data = {"client_id": str(client_id or uuid.uuid4()), "base_revision": "0", "kind": kind,
            "editor_id": str(uuid.uuid4()), "editor_seq": "0", "visibility": "private",
            "title": "", "body": "", "action": "save"}
    data.update(fields)
    return data


# --- the list -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_shows_my_entries_newest_first_with_privacy(patient_client, patient):
    _entry(patient, "older words", local_date=dt.date(2026, 1, 1), title="Older")
    _entry(patient, "shared words", local_date=dt.date(2026, 1, 5), title="Newer", visibility=V.CARE_TEAM)
    _entry(patient, "", local_date=dt.date(2026, 1, 3), visibility=V.RELEASED, minutes=12)
    _entry(PatientFactory(email="someone@example.test"), "not mine", title="Theirs")
    body = patient_client.get("/journal/").content.decode()
    assert body.index("Newer") < body.index("Older")
    assert "Shared with care team" in body and "Private" in body
    assert "Wrote for 12 minutes and released the words." in body
    assert "Theirs" not in body and "not mine" not in body
    assert "New entry" in body


@pytest.mark.django_db
def test_list_filters_by_kind_and_searches_only_my_entries(patient_client, patient):
    _entry(patient, "My father never listened", title="Dad")
    _entry(patient, "To my FATHER", kind="unsent_letter", recipient="Father", title="Letter")
    _entry(patient, "Work again", title="Work")
    _entry(PatientFactory(email="x@example.test"), "my father too", title="Stranger")
    body = patient_client.get("/journal/", {"q": "father"}).content.decode()
    assert "Dad" in body and "Letter" in body
    assert "Work again" not in body and "Stranger" not in body
    body = patient_client.get("/journal/", {"q": "father", "kind": "unsent_letter"}).content.decode()
    assert "Letter" in body and "Dad" not in body


@pytest.mark.django_db
def test_search_with_htmx_returns_only_the_results(patient_client, patient):
    _entry(patient, "about my back", title="Back")
    response = patient_client.get("/journal/", {"q": "back"}, HTTP_HX_REQUEST="true")
    assert "HX-Request" in response["Vary"]
    body = response.content.decode()
    assert "<html" not in body and "Back" in body


@pytest.mark.django_db
def test_list_is_paginated_with_a_fixed_number_of_queries(patient_client, patient, django_assert_max_num_queries):
    for i in range(25):
        _entry(patient, f"entry {i}", title=f"Entry {i:02d}", local_date=dt.date(2026, 1, 1) + dt.timedelta(days=i))
    with django_assert_max_num_queries(6):
        response = patient_client.get("/journal/")
    body = response.content.decode()
    assert body.count('class="card"') == 21  # the search card and 20 entries
    assert "Entry 24" in body and "Entry 04" not in body
    assert "Entry 04" in patient_client.get("/journal/", {"page": 2}).content.decode()


@pytest.mark.django_db
def test_clinicians_have_no_journal_of_their_own(clinician_client, other_clinician_client):
    for client in (clinician_client, other_clinician_client):
        assert client.get("/journal/").status_code == 404
        assert client.get("/journal/new/?kind=free_writing").status_code == 404
        assert client.post("/journal/autosave/", _form(body="x")).status_code == 404


# --- the form -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_new_entry_offers_every_kind(patient_client):
    body = patient_client.get("/journal/new/").content.decode()
    for label in ("Free writing", "Unsent letter", "Stressor inventory", "Self-affirmation",
                  "Symptom-emotion connection", "Blocking then shifting attention"):
        assert label in body


@pytest.mark.django_db
def test_the_form_has_plain_labels_privacy_choices_and_the_autosave_script(patient_client):
    body = patient_client.get("/journal/new/?kind=unsent_letter").content.decode()
    for text in (">Title<", ">To whom<", ">Your words<", "Save entry", "> Private<",
                 "> Share with my care team<", "> Write and release<", "Release</button>",
                 "js/journal.js", "words stay on this device"):
        assert text in body, text
    assert 'value="private" id="id_visibility_0" required checked' in body
    assert 'name="client_id"' in body


@pytest.mark.django_db
def test_symptom_emotion_form_has_the_emotions_of_seed_000(patient_client):
    body = patient_client.get("/journal/new/?kind=symptom_emotion").content.decode()
    for text in ("When did the symptom come?", "Intensity", "What was happening?",
                 "Anger", "Guilt", "Helplessness", "Dependency", "Sadness", "Not good enough", "Thoughts"):
        assert text in body, text


@pytest.mark.django_db
def test_save_entry_creates_one_entry_even_when_posted_twice(patient_client, patient):
    data = _form(title="Monday", body="I said yes again.\r\nAnd I am tired.")
    first = patient_client.post("/journal/new/", data)
    second = patient_client.post("/journal/new/", data)
    entry = JournalEntry.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/journal/{entry.pk}/"
    assert (entry.status, entry.title) == ("saved", "Monday")
    assert entry.body == "I said yes again.\nAnd I am tired."
    page = patient_client.get(first["Location"]).content.decode()
    assert "I said yes again.<br>And I am tired." in page


@pytest.mark.django_db
def test_words_are_escaped_never_rendered_as_html(patient_client, patient):
    entry = _entry(patient, "<script>alert(1)</script>", title="<b>bold</b>")
    body = patient_client.get(f"/journal/{entry.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert "<b>bold</b>" not in body


@pytest.mark.django_db
def test_bad_input_gets_clear_messages_not_errors(patient_client):
    data = _form(body="   ")
    response = patient_client.post("/journal/new/", data)
    assert response.status_code == 400
    assert "Write something before saving" in response.content.decode()
    # The form shown again counts its changes afresh, as a new editor.
    assert data["editor_id"] not in response.content.decode()
    assert data["client_id"] in response.content.decode()
    response = patient_client.post("/journal/new/", _form("unsent_letter", body="Dear"))
    assert "Say who the letter is to" in response.content.decode()
    response = patient_client.post("/journal/new/", _form("symptom_emotion", intensity="11", happening="x"))
    assert "Intensity is a number from 0 (none) to 10 (the worst)." in response.content.decode()
    assert patient_client.post("/journal/new/", {"kind": "nonsense"}).status_code == 302
    assert patient_client.post("/journal/new/", {"kind": "free_writing", "body": "x"}).status_code == 400
    assert not JournalEntry.objects.exists()


@pytest.mark.django_db
def test_symptom_emotion_and_attention_entries_store_their_fields_in_data(patient_client):
    patient_client.post("/journal/new/", _form(
        "symptom_emotion", when="after the call", where="kitchen, lower back", intensity="7",
        happening="Mum called", emotions=["guilt", "anger"], thoughts="Never enough"))
    patient_client.post("/journal/new/", _form(
        "attention_shifting", symptom="neck", told_myself="This is TMS, I am safe",
        shifted_to="the garden", how_it_went="eased"))
    se = JournalEntry.objects.get(kind="symptom_emotion")
    assert se.data == {"when": "after the call", "where": "kitchen, lower back", "intensity": 7,
                       "happening": "Mum called", "emotions": ["guilt", "anger"],
                       "thoughts": "Never enough"}
    att = JournalEntry.objects.get(kind="attention_shifting")
    assert att.data["told_myself"] == "This is TMS, I am safe" and att.body == ""


@pytest.mark.django_db
def test_exercise_prefills_the_right_kind_with_its_prompt(patient_client, patient, clinician):
    version = _version()
    _enrol(patient, clinician, version)
    letter = version.exercises.get(slug="letter")
    body = patient_client.get(f"/journal/new/?kind=free_writing&exercise={letter.pk}").content.decode()
    assert "Write about what made you angry this week." in body
    assert ">To whom<" in body  # the exercise's kind wins
    assert f'name="exercise" value="{letter.pk}"' in body
    response = patient_client.post("/journal/new/", _form(
        "unsent_letter", exercise=str(letter.pk), recipient="Dad", body="Dad,"))
    assert JournalEntry.objects.get().exercise == letter
    assert response.status_code == 302
    # Writing it is doing it: the exercise counts as done today, once.
    patient_client.post("/journal/new/", _form(
        "unsent_letter", exercise=str(letter.pk), recipient="Mum", body="Mum,"))
    done = ExerciseCompletion.objects.get(patient=patient)
    assert (done.exercise, done.local_date) == (letter, patient.local_today())


@pytest.mark.django_db
def test_an_exercise_outside_my_programme_is_ignored(patient_client, patient, clinician):
    _enrol(patient, clinician, _version("mine", prompt="My prompt"))
    foreign = _version("theirs", prompt="Someone else's prompt").exercises.get(slug="letter")
    body = patient_client.get(f"/journal/new/?kind=free_writing&exercise={foreign.pk}").content.decode()
    assert "Someone else&#x27;s prompt" not in body and "Someone else's prompt" not in body
    assert ">To whom<" not in body  # stays free writing
    patient_client.post("/journal/new/", _form(exercise=str(foreign.pk), body="x"))
    assert JournalEntry.objects.get().exercise is None


@pytest.mark.django_db
def test_a_flare_entry_goes_on_to_flare_support(patient_client):
    body = patient_client.get("/journal/new/?kind=symptom_emotion&flare=1").content.decode()
    assert "A flare is a signal, not damage." in body
    response = patient_client.post("/journal/new/", _form("symptom_emotion", flare="True", happening="row"))
    entry = JournalEntry.objects.get()
    assert entry.data["flare"] is True
    try:
        expected = reverse("journaling:flare_support") + f"?entry={entry.pk}"
    except NoReverseMatch:
        expected = "/journal/"
    assert response["Location"] == expected


# --- autosave ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_autosave_creates_then_updates_and_reports_the_edit_url(patient_client):
    cid = uuid.uuid4()
    response = patient_client.post("/journal/autosave/", _form(client_id=cid, body="first words", editor_seq="1"))
    assert response.status_code == 200
    entry = JournalEntry.objects.get()
    assert response.json()["edit_url"] == f"/journal/{entry.pk}/edit/"
    assert response.json()["revision"] == 1 and entry.status == "draft"
    response = patient_client.post("/journal/autosave/", _form(client_id=cid, base_revision="1", body="more words"))
    assert response.json()["revision"] == 2
    entry.refresh_from_db()
    assert entry.body == "more words"
    # The draft page reopens with the words and the current revision.
    body = patient_client.get(f"/journal/{entry.pk}/edit/").content.decode()
    assert "more words" in body and 'data-revision="2"' in body


@pytest.mark.django_db
def test_autosave_keeps_the_words_when_a_number_is_wrong(patient_client):
    response = patient_client.post("/journal/autosave/", _form(
        "symptom_emotion", intensity="12", happening="the meeting"))
    assert response.status_code == 200
    assert "intensity" in response.json()["errors"]
    assert JournalEntry.objects.get().data == {"happening": "the meeting"}


@pytest.mark.django_db
def test_autosave_conflict_is_refused_with_409(patient_client, patient):
    cid = uuid.uuid4()
    patient_client.post("/journal/autosave/", _form(client_id=cid, body="v1"))
    patient_client.post("/journal/autosave/", _form(client_id=cid, base_revision="1", body="other tab"))
    response = patient_client.post("/journal/autosave/", _form(client_id=cid, base_revision="1", body="this tab"))
    assert response.status_code == 409 and response.json()["conflict"] is True
    assert JournalEntry.objects.get().body == "other tab"


@pytest.mark.django_db
def test_autosave_rejects_bad_requests_and_other_patients_entries(patient_client, patient):
    assert patient_client.post("/journal/autosave/", {"body": "x"}).status_code == 400
    assert patient_client.post("/journal/autosave/", _form(client_id="nonsense")).status_code == 400
    theirs = _entry(PatientFactory(email="x@example.test"), "their words")
    response = patient_client.post("/journal/autosave/", _form(client_id=theirs.client_id, base_revision="1", body="mine"))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.body == "their words"
    assert patient_client.get("/journal/autosave/").status_code == 405


@pytest.mark.django_db
def test_autosave_never_stores_released_words(patient_client):
    response = patient_client.post("/journal/autosave/", _form(visibility="released", body="secret"))
    assert response.status_code == 409
    assert not JournalEntry.objects.exists()


# --- conflicts on the page ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_stale_save_shows_both_texts_and_keep_mine_overwrites_on_purpose(patient_client, patient):
    cid = uuid.uuid4()
    entries.autosave(patient, cid, 0, {"kind": "free_writing", "body": "the first words"})
    entries.autosave(patient, cid, 1, {"kind": "free_writing", "body": "words from my phone"})
    entry = JournalEntry.objects.get()
    mine = _form(client_id=cid, base_revision="1", body="words from my laptop")
    response = patient_client.post(f"/journal/{entry.pk}/edit/", mine)
    assert response.status_code == 409
    body = response.content.decode()
    assert "words from my laptop" in body and "words from my phone" in body
    assert "Keep mine" in body and "Keep the saved version" in body
    assert 'name="base_revision" value="2"' in body
    entry.refresh_from_db()
    assert entry.body == "words from my phone"

    keep = {**mine, "base_revision": "2", "action": "keep_mine", "intent": "save"}
    response = patient_client.post(f"/journal/{entry.pk}/edit/", keep)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.body == "words from my laptop" and entry.status == "saved"


@pytest.mark.django_db
def test_keep_the_saved_version_changes_nothing_and_clears_the_local_copy(patient_client, patient):
    entry = _entry(patient, "saved words", revision=3)
    response = patient_client.post(f"/journal/{entry.pk}/edit/", _form(
        client_id=entry.client_id, base_revision="1", body="my words", action="keep_saved"))
    assert response["Location"] == f"/journal/{entry.pk}/edit/?kept=saved"
    entry.refresh_from_db()
    assert entry.body == "saved words"
    assert 'data-discard-local="1"' in patient_client.get(response["Location"]).content.decode()


# --- write and release, privacy ---------------------------------------------------------------


@pytest.mark.django_db
def test_release_posts_no_words_and_records_that_writing_happened(patient_client):
    form_page = patient_client.get("/journal/new/?kind=free_writing").content.decode()
    release_form = form_page[form_page.index('id="release-form"'):]
    assert 'name="body"' not in release_form and 'name="title"' not in release_form
    cid = uuid.uuid4()
    response = patient_client.post("/journal/release/", {"client_id": cid, "kind": "free_writing", "minutes": "20"})
    assert response.status_code == 302
    entry = JournalEntry.objects.get()
    assert (entry.visibility, entry.minutes, entry.body) == ("released", 20, "")
    patient_client.post("/journal/release/", {"client_id": cid, "kind": "free_writing", "minutes": "20"})
    assert JournalEntry.objects.count() == 1


@pytest.mark.django_db
def test_save_entry_with_write_and_release_chosen_drops_the_words(patient_client):
    patient_client.post("/journal/new/", _form(visibility="released", title="t", body="never keep this"))
    entry = JournalEntry.objects.get()
    assert entry.visibility == "released" and entry.body == "" and entry.title == ""


@pytest.mark.django_db
def test_privacy_can_change_later_and_release_asks_first(patient_client, patient):
    entry = _entry(patient, "my words")
    patient_client.post(f"/journal/{entry.pk}/privacy/", {"visibility": "care_team"})
    entry.refresh_from_db()
    assert entry.visibility == "care_team" and entry.shared_at is not None
    response = patient_client.post(f"/journal/{entry.pk}/privacy/", {"visibility": "released"})
    assert "Erase the words and release" in response.content.decode()
    entry.refresh_from_db()
    assert entry.body == "my words"
    patient_client.post(f"/journal/{entry.pk}/privacy/", {"visibility": "released", "confirm": "True"})
    entry.refresh_from_db()
    assert entry.visibility == "released" and entry.body == "" and entry.shared_at is None
    response = patient_client.get(f"/journal/{entry.pk}/edit/")
    assert response.status_code == 302


@pytest.mark.django_db
def test_my_entries_are_mine_alone(patient, clinician_client, other_clinician_client):
    entry = _entry(patient, "private words")
    other = client_for(PatientFactory(email="o@example.test"))
    for client in (other, clinician_client, other_clinician_client):
        assert client.get(f"/journal/{entry.pk}/").status_code == 404
        assert client.get(f"/journal/{entry.pk}/edit/").status_code == 404
        assert client.post(f"/journal/{entry.pk}/privacy/", {"visibility": "care_team"}).status_code == 404
        assert client.post(f"/journal/{entry.pk}/edit/", _form(client_id=entry.client_id, base_revision="1", body="x")).status_code == 404
    entry.refresh_from_db()
    assert entry.body == "private words" and entry.visibility == "private"


# --- the stressor inventory --------------------------------------------------------------------


@pytest.mark.django_db
def test_stressor_inventory_grows_and_items_can_be_removed(patient_client, patient):
    for _ in range(2):  # a double submission adds it once
        patient_client.post("/journal/stressors/", {"category": "personality", "text": "Perfectionism"})
    patient_client.post("/journal/stressors/", {"category": "ageing", "text": "Turning 50"})
    body = patient_client.get("/journal/stressors/").content.decode()
    for text in ("Childhood", "Personality traits", "Current life pressures", "Ageing and mortality",
                 "Perfectionism", "Turning 50"):
        assert text in body
    assert StressorItem.objects.count() == 2
    response = patient_client.post("/journal/stressors/", {"category": "current", "text": ""})
    assert response.status_code == 400 and "Write a few words" in response.content.decode()
    item = StressorItem.objects.same_line("Turning 50").get()
    stranger = client_for(PatientFactory(email="s@example.test"))
    stranger.post(f"/journal/stressors/{item.pk}/remove/")
    assert StressorItem.objects.filter(pk=item.pk).exists()
    patient_client.post(f"/journal/stressors/{item.pk}/remove/")
    assert not StressorItem.objects.filter(pk=item.pk).exists()


@pytest.mark.django_db
def test_a_stressor_entry_adds_its_lines_to_the_inventory(patient_client, patient):
    StressorItem.objects.create(patient=patient, category="childhood", text="Strict father",
                                local_date=dt.date(2026, 1, 1))
    body = patient_client.get("/journal/new/?kind=stressor_inventory").content.decode()
    assert "Strict father" in body and "Add to “Childhood”" in body
    patient_client.post("/journal/new/", _form(
        "stressor_inventory", add_current="New manager\r\nLong hours\r\n", add_childhood="Strict father"))
    assert StressorItem.objects.filter(patient=patient).count() == 3
    entry = JournalEntry.objects.get()
    assert [a["text"] for a in entry.data["added"]] == ["Strict father", "New manager", "Long hours"]
