"""The patient's Today page: what is due, one-tap completion, the check-in, flare support."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from journaling.models import CheckIn, ExerciseCompletion, JournalEntry
from programs.models import Enrolment, EnrolmentPause, ExerciseTemplate
from tests.builders import (
    MONDAY,
    WEDNESDAY,
    enrol,
    exercise,
    make_cohort,
    make_version,
)
from tests.conftest import client_for
from tests.factories import PatientFactory

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def version(db):
    return make_version()


@pytest.fixture
def enrolment(patient, clinician, version):
    return enrol(patient, clinician, version)


def done_url(ex: ExerciseTemplate) -> str:
    return f"/today/exercises/{ex.pk}/done/"


def undo_url(ex: ExerciseTemplate) -> str:
    return f"/today/exercises/{ex.pk}/undo/"


# --- access ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_patient_has_a_today_page(
    enrolment, version, clinician_client, other_clinician_client, client, at_wednesday
):
    ex = exercise(version)
    for staff in (clinician_client, other_clinician_client):
        assert staff.get("/today/").status_code == 404
        assert staff.get("/today/flare/").status_code == 404
        assert staff.post(done_url(ex)).status_code == 404
        assert staff.post("/today/check-in/", {"pain": 1, "stress": 1, "mood": 1}).status_code == 404
    assert client.get("/today/").status_code == 302
    assert not ExerciseCompletion.objects.exists() and not CheckIn.objects.exists()


@pytest.mark.django_db
def test_a_patient_cannot_complete_someone_elses_exercise(enrolment, version, clinician, at_wednesday):
    stranger = client_for(PatientFactory())
    assert stranger.post(done_url(exercise(version))).status_code == 404
    assert not ExerciseCompletion.objects.exists()


# --- the page ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_page_shows_where_the_patient_is_and_what_is_due(
    enrolment, version, patient_client, at_wednesday
):
    response = patient_client.get("/today/")
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    body = response.content.decode()
    assert "Week 1, day 3 of the MBM workshop" in body
    assert "About this week" in body and "Week 1 theme" in body and "Reading for week 1." in body
    write, meditate = exercise(version, "ex-0"), exercise(version, "ex-1")
    assert write.title in body and meditate.title in body
    assert "Instructions 0." in body and "What is on your mind?" in body
    assert "About 10 minutes" in body
    assert body.count("Mark as done") == 2
    assert f"/journal/new/?kind=free_writing&amp;exercise={write.pk}" in body
    assert body.count("Write now") == 1  # the meditation is not a writing exercise
    assert "Your clinic will add the recording" in body
    assert "Save check-in" in body and "Nothing due today" in body
    assert "/journal/new/?kind=symptom_emotion&amp;flare=1" in body
    assert "I&#x27;m having a flare" in body or "I'm having a flare" in body
    assert "Exercises done this week: <strong>0 of 6</strong> due so far" in body  # Mon-Wed


@pytest.mark.django_db
def test_a_meditation_with_a_recording_gets_a_player(patient, clinician, patient_client, at_wednesday):
    version = make_version(
        exercises=0,
        extra=[{"slug": "med", "kind": "meditation_audio", "title": "Body scan",
                "media_url": "https://cdn.example.test/body-scan.mp3"},
               {"slug": "read", "kind": "reading", "title": "Chapter 2",
                "media_url": "https://example.test/chapter-2.pdf"}],
    )
    enrol(patient, clinician, version)
    body = patient_client.get("/today/").content.decode()
    assert '<audio controls preload="none" src="https://cdn.example.test/body-scan.mp3">' in body
    assert 'href="https://example.test/chapter-2.pdf"' in body
    assert "Your clinic will add the recording" not in body


@pytest.mark.django_db
def test_not_enrolled(patient_client, at_wednesday):
    body = patient_client.get("/today/").content.decode()
    assert "Your clinician will add you to a programme" in body
    assert "Save check-in" in body  # the check-in works without a programme


@pytest.mark.django_db
def test_not_started_yet(patient, clinician, version, patient_client, at_wednesday):
    enrol(patient, clinician, version, start=dt.date(2026, 3, 9))
    body = patient_client.get("/today/").content.decode()
    assert "The MBM workshop starts on Monday 9 March" in body
    assert "Nothing to do yet" in body
    assert "Mark as done" not in body


@pytest.mark.django_db
def test_finished(patient, clinician, patient_client, at_wednesday):
    enrol(patient, clinician, make_version(weeks=1), start=dt.date(2026, 2, 16))
    body = patient_client.get("/today/").content.decode()
    assert "You have finished the MBM workshop" in body
    assert "Mark as done" not in body
    assert "Your clinician will add you" not in body


@pytest.mark.django_db
def test_paused(patient, clinician, version, patient_client, at_wednesday):
    enrolment = enrol(patient, clinician, version, status=Enrolment.Status.PAUSED)
    EnrolmentPause.objects.create(enrolment=enrolment, start=dt.date(2026, 3, 3))
    body = patient_client.get("/today/").content.decode()
    assert "The MBM workshop is paused" in body
    assert "Mark as done" not in body
    assert patient_client.post(done_url(exercise(version))).status_code == 404
    assert not ExerciseCompletion.objects.exists()


# --- marking exercises done ---------------------------------------------------------------------


@pytest.mark.django_db
def test_mark_done_with_htmx_swaps_the_card_and_never_duplicates(
    patient, enrolment, version, patient_client, at_wednesday
):
    ex = exercise(version)
    data = {"minutes": "20", "note": "Wrote about work"}
    response = patient_client.post(done_url(ex), data, **HX)
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    body = response.content.decode()
    assert "<html" not in body  # a partial
    assert f'id="exercise-{ex.pk}"' in body
    assert "Done" in body and "Undo" in body and "Mark as done" not in body
    assert "You spent 20 minutes on it." in body
    assert 'id="week-progress"' in body and 'hx-swap-oob="true"' in body
    assert "<strong>1 of 6</strong>" in body
    # A double click or a retried request: still one row, same answer.
    again = patient_client.post(done_url(ex), {"minutes": "5"}, **HX)
    assert again.status_code == 200 and "Undo" in again.content.decode()
    completion = ExerciseCompletion.objects.get()
    assert (completion.patient, completion.enrolment, completion.local_date) == (
        patient, enrolment, WEDNESDAY
    )
    assert completion.minutes == 20 and completion.note == "Wrote about work"


@pytest.mark.django_db
def test_mark_done_without_javascript_redirects_back(enrolment, version, patient_client, at_wednesday):
    ex = exercise(version)
    response = patient_client.post(done_url(ex))
    assert response.status_code == 302
    assert response["Location"] == f"/today/#exercise-{ex.pk}"
    body = patient_client.get("/today/").content.decode()
    assert "Marked as done" in body
    assert body.count("Mark as done") == 1 and "Undo" in body
    assert "<strong>1 of 6</strong>" in body


@pytest.mark.django_db
def test_bad_minutes_say_so_and_save_nothing(enrolment, version, patient_client, at_wednesday):
    ex = exercise(version)
    body = patient_client.post(done_url(ex), {"minutes": "9999"}, **HX).content.decode()
    assert "Minutes must be a whole number from 1 to 600." in body
    assert "<details open>" in body
    response = patient_client.post(done_url(ex), {"minutes": "lots"}, follow=True)
    assert "Minutes must be a whole number from 1 to 600." in response.content.decode()
    assert not ExerciseCompletion.objects.exists()


@pytest.mark.django_db
def test_undo(enrolment, version, patient_client, at_wednesday):
    ex = exercise(version)
    patient_client.post(done_url(ex), **HX)
    body = patient_client.post(undo_url(ex), **HX).content.decode()
    assert "Mark as done" in body and "Undo" not in body
    assert "<strong>0 of 6</strong>" in body
    assert not ExerciseCompletion.objects.exists()
    # Undoing again is harmless.
    assert patient_client.post(undo_url(ex)).status_code == 302


@pytest.mark.django_db
def test_undo_only_touches_today(patient, enrolment, version, patient_client, at_wednesday):
    ex = exercise(version)
    ExerciseCompletion.objects.create(
        patient=patient, enrolment=enrolment, exercise=ex, local_date=MONDAY
    )
    patient_client.post(undo_url(ex))
    assert ExerciseCompletion.objects.filter(local_date=MONDAY).exists()


@pytest.mark.django_db
def test_an_exercise_not_due_today_cannot_be_completed(patient, clinician, patient_client, at_wednesday):
    version = make_version(extra=[{"slug": "later", "title": "Week 2 only", "weeks": [2]}])
    enrol(patient, clinician, version)
    later = exercise(version, "later")
    assert "Week 2 only" not in patient_client.get("/today/").content.decode()
    assert patient_client.post(done_url(later)).status_code == 404
    # A page left open from another day gets a plain explanation in place of the card.
    response = patient_client.post(done_url(later), **HX)
    assert response.status_code == 200
    assert "not due today" in response.content.decode()
    assert not ExerciseCompletion.objects.exists()


@pytest.mark.django_db
def test_get_is_not_allowed_on_actions(enrolment, version, patient_client, at_wednesday):
    assert patient_client.get(done_url(exercise(version))).status_code == 405
    assert patient_client.get("/today/check-in/").status_code == 405
    assert not ExerciseCompletion.objects.exists()


# --- the check-in ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_check_in_then_update_the_same_day(patient, patient_client, at_wednesday):
    response = patient_client.post(
        "/today/check-in/", {"pain": "7", "stress": "6", "mood": "3", "note": "Bad night"}, **HX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "Saved" in body and "Update check-in" in body
    assert CheckIn.objects.get().pain == 7

    page = patient_client.get("/today/").content.decode()
    assert "Update check-in" in page and "You checked in today" in page
    assert 'name="pain" id="pain-7" value="7" checked' in page and "Bad night" in page
    assert page.count(" checked>") == 3

    patient_client.post("/today/check-in/", {"pain": "4", "stress": "3", "mood": "6"}, **HX)
    checkin = CheckIn.objects.get()
    assert (checkin.patient, checkin.local_date) == (patient, WEDNESDAY)
    assert (checkin.pain, checkin.stress, checkin.mood, checkin.note) == (4, 3, 6, "")


@pytest.mark.django_db
def test_check_in_without_javascript(patient_client, at_wednesday):
    response = patient_client.post("/today/check-in/", {"pain": "2", "stress": "2", "mood": "8"})
    assert response.status_code == 302 and response["Location"] == "/today/#checkin"
    assert "Check-in saved" in patient_client.get("/today/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [True, False])
def test_out_of_range_check_in_says_so_and_saves_nothing(patient_client, at_wednesday, htmx):
    extra = HX if htmx else {}
    response = patient_client.post(
        "/today/check-in/", {"pain": "11", "stress": "-1", "mood": "4"}, **extra
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert ("<html" in body) is not htmx
    assert "Your check-in was not saved." in body
    assert "Pain must be a whole number from 0 to 10." in body
    assert "Stress must be a whole number from 0 to 10." in body
    assert 'aria-describedby="pain-error pain-ends"' in body
    assert 'name="mood" id="mood-4" value="4" checked' in body  # what was chosen stays chosen
    assert not CheckIn.objects.exists()


# Defect 9: the sliders started at 5, and an untouched slider saved a 5 the patient never chose.


@pytest.mark.django_db
def test_the_check_in_starts_with_nothing_chosen(patient_client, at_wednesday):
    page = patient_client.get("/today/").content.decode()
    form = page[page.index('id="checkin"'):page.index("</form>", page.index('id="checkin"'))]
    for name in ("pain", "stress", "mood"):
        assert form.count(f'type="radio" name="{name}"') == 11  # 0 to 10
    assert "checked" not in form and 'value="5"' in form
    assert 'type="range"' not in form and "oninput" not in form  # no inline handler either


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [True, False])
def test_a_measure_left_untouched_saves_nothing_for_it(patient, patient_client, at_wednesday, htmx):
    extra = HX if htmx else {}
    # What the browser sends when the patient chose only a pain score (with or without JS).
    response = patient_client.post("/today/check-in/", {"pain": "7", "note": ""}, **extra)
    assert response.status_code == (200 if htmx else 302)
    checkin = CheckIn.objects.get()
    assert (checkin.pain, checkin.stress, checkin.mood) == (7, None, None)
    page = patient_client.get("/today/").content.decode()
    assert 'name="pain" id="pain-7" value="7" checked' in page
    assert page.count(" checked>") == 1  # stress and mood are still unanswered
    # History and its chart cope with the missing scores.
    history = patient_client.get("/history/?day=2026-03-04&days=30")
    assert history.status_code == 200
    text = history.content.decode()
    assert "Checked in</strong>: pain 7" in text and "stress None" not in text
    assert "<td>7</td><td>–</td><td>–</td>" in text
    assert "No stress scores in this period." in text


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [True, False])
def test_a_check_in_with_no_score_at_all_says_so(patient_client, at_wednesday, htmx):
    extra = HX if htmx else {}
    response = patient_client.post("/today/check-in/", {"note": "Just a note"}, **extra)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Your check-in was not saved." in body
    assert "Choose at least one of pain, stress or mood." in body
    assert "Just a note" in body  # the words typed are not lost
    assert not CheckIn.objects.exists()


@pytest.mark.django_db
def test_check_in_late_at_night_counts_for_the_patients_local_day(db):
    patient = PatientFactory(time_zone="America/Los_Angeles")
    client = client_for(patient)
    # 07:30 UTC on 15 January is 23:30 on 14 January in Los Angeles.
    with time_machine.travel(dt.datetime(2026, 1, 15, 7, 30, tzinfo=dt.UTC), tick=False):
        client.post("/today/check-in/", {"pain": "5", "stress": "5", "mood": "5"})
        page = client.get("/today/").content.decode()
    assert CheckIn.objects.get().local_date == dt.date(2026, 1, 14)
    assert "Wednesday 14 January" in page
    with time_machine.travel(dt.datetime(2026, 1, 15, 8, 30, tzinfo=dt.UTC), tick=False):
        assert "Save check-in" in client.get("/today/").content.decode()  # a new local day


# --- progress, next meeting ---------------------------------------------------------------------


@pytest.mark.django_db
def test_week_progress_counts_check_in_days(patient, enrolment, patient_client, at_wednesday):
    CheckIn.objects.create(patient=patient, local_date=MONDAY, pain=5, stress=5, mood=5)
    body = patient_client.post("/today/check-in/", {"pain": "3", "stress": "3", "mood": "7"}, **HX)
    assert "Days checked in this week: <strong>2</strong>" in body.content.decode()


@pytest.mark.django_db
def test_next_group_session_in_the_patients_time_zone(patient, clinician, patient_client, at_wednesday):
    version = make_version(sessions=[{"title": "Anger and the body", "week": 2, "day": 1}])
    enrolment = enrol(patient, clinician, version)
    cohort = make_cohort(version, enrolment)
    cohort.occurrences.create(
        session=version.sessions.get(), starts_at=dt.datetime(2026, 3, 9, 23, 0, tzinfo=dt.UTC),
        duration_minutes=120,
    )
    body = patient_client.get("/today/").content.decode()
    assert "Anger and the body" in body
    assert "Monday 9 March, 19:00" in body  # New York
    assert "Room 4" in body and "https://video.example.test/room4" in body


@pytest.mark.django_db
def test_next_consultation_from_the_plan(patient, clinician, patient_client, at_wednesday):
    version = make_version(
        sessions=[{"title": "Follow-up visit", "kind": "follow_up", "week": 2, "day": 3}]
    )
    enrol(patient, clinician, version)
    body = patient_client.get("/today/").content.decode()
    assert "Follow-up visit" in body and "Wednesday 11 March" in body
    assert "Your clinic will confirm the time" in body


# --- a fixed number of queries -----------------------------------------------------------------


def _count_today_queries(patient, clinician, exercises: int, slug: str) -> int:
    Enrolment.objects.filter(patient=patient).delete()
    enrol(patient, clinician, make_version(exercises=exercises, slug=slug))
    client = client_for(patient)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/today/").status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_today_costs_the_same_queries_whatever_the_number_of_exercises(
    patient, clinician, django_assert_max_num_queries, at_wednesday
):
    three = _count_today_queries(patient, clinician, 3, "three")
    eight = _count_today_queries(patient, clinician, 8, "eight")
    assert three == eight
    # Session, user, profile; enrolments with their versions (5); completions; check-ins;
    # the next cohort meeting; the clinic (crisis resources in the footer); the next
    # follow-up visit (clinicians' Today panel, one query); the questionnaire schedule
    # (outcomes' Today panel, one query when the programme schedules none).
    assert three <= 14
    # A second programme costs nothing more either.
    enrol(patient, clinician, make_version(exercises=1, slug="other"))
    client = client_for(patient)
    with django_assert_max_num_queries(three):
        assert "Exercise 0" in client.get("/today/").content.decode()


# Defect 10: Today said "10 of 25" and History "10 of 11" for the same week.


@pytest.mark.django_db
def test_today_and_history_count_the_week_the_same_way(patient, clinician, patient_client, at_wednesday):
    version = make_version(
        extra=[{"slug": "walk", "title": "Walk", "kind": "physical_activity",
                "cadence": "times_per_week", "times_per_week": 3}]
    )
    # Started a week earlier: Wednesday is day 3 of week 2.
    enrolment = enrol(patient, clinician, version, start=MONDAY - dt.timedelta(days=7))
    write, meditate, walk = (exercise(version, slug) for slug in ("ex-0", "ex-1", "walk"))
    done = [(write, 0), (write, 1), (write, 2), (meditate, 0), (meditate, 1), (walk, 0), (walk, 1)]
    done += [(write, -3), (walk, -5)]  # last week's: not this week's
    for ex, offset in done:
        ExerciseCompletion.objects.create(
            patient=patient, enrolment=enrolment, exercise=ex,
            local_date=MONDAY + dt.timedelta(days=offset),
        )
    today = patient_client.get("/today/").content.decode()
    history = patient_client.get("/history/").content.decode()
    # Due Monday to Wednesday: two daily exercises, and the walks of days 1 and 3 (of 1, 3, 5).
    # Done: 3 + 2, and two walks (the one ahead of its day counts for the one due Wednesday).
    assert "Exercises done this week: <strong>7 of 8</strong> due so far" in today
    assert "this week so far 7 of 8." in history
    assert "<th scope=\"row\">Week 2 (so far)</th><td>7</td><td>8</td>" in history


# --- writes do only the work they need --------------------------------------------------------


def _write_queries(client, url: str, data: dict, htmx: bool) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data, **(HX if htmx else {}))
    assert response.status_code == (200 if htmx else 302)
    return [q["sql"] for q in queries.captured_queries]


def _from(table: str, sqls: list[str]) -> int:
    return sum(f'FROM "{table}"' in sql for sql in sqls)


@pytest.mark.django_db
@pytest.mark.parametrize("htmx", [True, False])
def test_writes_build_only_what_they_return(patient, enrolment, version, htmx, at_wednesday):
    """A completion, an undo or a check-in loads the programmes once; without JavaScript it
    redirects without building the page, with htmx it builds the card and the week's
    progress, never the page's other parts (the next meeting)."""
    client = client_for(patient)
    ex = exercise(version)
    writes = [
        (done_url(ex), {"minutes": "10"}),
        (undo_url(ex), {}),
        ("/today/check-in/", {"pain": "3", "stress": "4", "mood": "6"}),
    ]
    counts = []
    for url, data in writes:
        sqls = _write_queries(client, url, data, htmx)
        counts.append(len(sqls))
        assert _from("programs_enrolment", sqls) <= 1, url
        assert _from("programs_occurrence", sqls) == 0, url  # the next meeting: page only
        assert _from("journaling_checkin", sqls) <= (2 if htmx else 1), url
    # Session, user, profile (3); the exercise writes: programmes (5), is it on today's page
    # (1), the write (complete: its own idempotency check, then savepoint, insert, release: 4;
    # undo: 1) and the patient's data stamp (1, recovery.freshness); the day's first check-in:
    # savepoints (4), the read, the insert, the stamp (7); with htmx, the week's completions
    # and check-ins (2), and the check-in's programmes (5).
    complete, undo, checkin = counts
    assert complete <= (3 + 5 + 1 + 4 + 1 + (2 if htmx else 0)), complete
    assert undo <= (3 + 5 + 1 + 1 + 1 + (2 if htmx else 0)), undo
    assert checkin <= (3 + 7 + (5 + 2 if htmx else 0)), checkin


# --- flare support -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_flare_support_reassures_and_shows_the_crisis_resources(patient, patient_client):
    clinic = patient.clinic
    clinic.crisis_resources = "Call 988, the Suicide & Crisis Lifeline."
    clinic.contact_phone = "+1 555 0100"
    clinic.save()
    response = patient_client.get("/today/flare/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Call 988, the Suicide &amp; Crisis Lifeline." in body
    assert "The pain is real." in body and "not a sign of damage" in body
    assert "Okay, my back hurts. Something's going on. How am I feeling?" in body
    for feeling in ("anger", "guilt", "helplessness", "dependency", "sadness", "not good enough"):
        assert feeling in body
    assert "/journal/new/?kind=symptom_emotion&amp;flare=1" in body and "Write about it" in body
    assert 'href="tel:+1 555 0100"' in body


@pytest.mark.django_db
def test_flare_support_after_writing_names_only_the_patients_own_entry(patient, patient_client):
    mine = JournalEntry.objects.create(patient=patient, local_date=WEDNESDAY, kind="symptom_emotion",
                                       status="saved", body="Back hurt after the call.")
    theirs = JournalEntry.objects.create(patient=PatientFactory(), local_date=WEDNESDAY, status="saved")
    assert "Your entry is saved" in patient_client.get(f"/today/flare/?entry={mine.pk}").content.decode()
    body = patient_client.get(f"/today/flare/?entry={theirs.pk}").content.decode()
    assert "Your entry is saved" not in body
    for odd in ("nonsense", "²", "9" * 30, "-1"):
        response = patient_client.get("/today/flare/", {"entry": odd})
        assert response.status_code == 200 and "Your entry is saved" not in response.content.decode()
