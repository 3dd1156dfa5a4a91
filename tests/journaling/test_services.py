"""The rules of the patient's day (journaling.services), called directly."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction

from journaling import checkins, services
from journaling.models import CheckIn, ExerciseCompletion
from programs.models import Enrolment, EnrolmentPause, Occurrence
from tests.builders import (
    MONDAY,
    WEDNESDAY,
    WEDNESDAY_NOON_UTC,
    enrol,
    exercise,
    loaded,
    make_cohort,
    make_version,
)
from tests.factories import PatientFactory

# --- check-ins ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_save_checkin_creates_then_updates_the_days_one_row(patient):
    first = checkins.save_checkin(patient, WEDNESDAY, 7, 5, 3, "Rough morning")
    second = checkins.save_checkin(patient, WEDNESDAY, 4, 3, 6, "  Better after a walk ")
    assert second.pk == first.pk
    assert CheckIn.objects.filter(patient=patient).count() == 1
    checkin = CheckIn.objects.get()
    assert (checkin.pain, checkin.stress, checkin.mood) == (4, 3, 6)
    assert checkin.note == "Better after a walk"
    # Another day is another row.
    checkins.save_checkin(patient, WEDNESDAY + dt.timedelta(days=1), 3, 3, 7)
    assert CheckIn.objects.filter(patient=patient).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("scores", "field"),
    [((11, 2, 3), "pain"), ((1, -1, 3), "stress"), ((1, 2, 99), "mood"), ((True, 2, 3), "pain")],
)
def test_save_checkin_rejects_scores_outside_0_to_10(patient, scores, field):
    with pytest.raises(ValidationError) as exc:
        checkins.save_checkin(patient, WEDNESDAY, *scores)
    assert field in exc.value.message_dict
    assert "from 0 to 10" in exc.value.message_dict[field][0]
    assert not CheckIn.objects.exists()


@pytest.mark.django_db
def test_save_checkin_out_of_range_leaves_the_saved_values(patient):
    checkins.save_checkin(patient, WEDNESDAY, 4, 4, 4)
    with pytest.raises(ValidationError):
        checkins.save_checkin(patient, WEDNESDAY, 12, 4, 4)
    assert CheckIn.objects.get().pain == 4


@pytest.mark.django_db
def test_save_checkin_keeps_unchosen_scores_unset(patient):
    checkin = checkins.save_checkin(patient, WEDNESDAY, None, 3, None)
    checkin.refresh_from_db()
    assert (checkin.pain, checkin.stress, checkin.mood) == (None, 3, None)
    assert checkin.scores_text() == "stress 3"
    with pytest.raises(ValidationError) as exc:
        checkins.save_checkin(patient, WEDNESDAY, None, None, None, "only words")
    assert exc.value.messages == ["Choose at least one of pain, stress or mood."]
    assert CheckIn.objects.get().stress == 3  # the saved check-in is untouched


@pytest.mark.django_db
@pytest.mark.parametrize(
    "scores", [{"pain": None, "stress": None, "mood": None}, {"pain": 11}, {"mood": -1}]
)
def test_the_database_holds_the_check_in_rules(patient, scores):
    from django.db import IntegrityError

    fields = {"pain": 1, "stress": 1, "mood": 1, **scores}
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(patient=patient, local_date=WEDNESDAY, **fields)


# --- completions -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_complete_exercise_is_idempotent(patient, clinician):
    version = make_version()
    enrolment = loaded(enrol(patient, clinician, version))
    ex = exercise(version)
    first = services.complete_exercise(patient, enrolment, ex, WEDNESDAY, minutes=20, note="Hard")
    again = services.complete_exercise(patient, enrolment, ex, WEDNESDAY, minutes=5)
    assert again.pk == first.pk
    assert ExerciseCompletion.objects.count() == 1
    assert ExerciseCompletion.objects.get().minutes == 20


@pytest.mark.django_db(transaction=True)
def test_a_lost_race_returns_the_winners_row_and_keeps_the_transaction_usable(patient, clinician):
    version = make_version()
    enrolment = loaded(enrol(patient, clinician, version))
    ex = exercise(version)
    winner = ExerciseCompletion.objects.create(
        patient=patient, enrolment=enrolment, exercise=ex, local_date=WEDNESDAY
    )
    # Both requests looked before either wrote: the second one's insert hits the constraint.
    with mock.patch.object(services, "_done_on", return_value=None), transaction.atomic():
        row = services.complete_exercise(patient, enrolment, ex, WEDNESDAY)
        assert ExerciseCompletion.objects.count() == 1  # the outer transaction still works
    assert row.pk == winner.pk


@pytest.mark.django_db
def test_only_an_exercise_due_that_day_can_be_completed(patient, clinician):
    version = make_version(extra=[{"slug": "later", "title": "Week 2 only", "weeks": [2]}])
    enrolment = loaded(enrol(patient, clinician, version))
    with pytest.raises(ValidationError, match="not due today"):
        services.complete_exercise(patient, enrolment, exercise(version, "later"), WEDNESDAY)
    # Before day 1 nothing is due either.
    with pytest.raises(ValidationError, match="not due today"):
        services.complete_exercise(patient, enrolment, exercise(version), MONDAY - dt.timedelta(days=1))
    assert not ExerciseCompletion.objects.exists()


@pytest.mark.django_db
def test_an_exercise_of_another_programme_or_patient_cannot_be_completed(patient, clinician):
    version = make_version()
    other_version = make_version(slug="other", title="Other")
    enrolment = loaded(enrol(patient, clinician, version))
    with pytest.raises(ValidationError):
        services.complete_exercise(patient, enrolment, exercise(other_version), WEDNESDAY)
    someone = PatientFactory()
    with pytest.raises(ValidationError):
        services.complete_exercise(someone, enrolment, exercise(version), WEDNESDAY)
    assert not ExerciseCompletion.objects.exists()


@pytest.mark.django_db
def test_minutes_must_be_sensible(patient, clinician):
    version = make_version()
    enrolment = loaded(enrol(patient, clinician, version))
    with pytest.raises(ValidationError):
        services.complete_exercise(patient, enrolment, exercise(version), WEDNESDAY, minutes=0)
    assert not ExerciseCompletion.objects.exists()


@pytest.mark.django_db
def test_undo_completion(patient, clinician):
    version = make_version()
    enrolment = loaded(enrol(patient, clinician, version))
    ex = exercise(version)
    services.complete_exercise(patient, enrolment, ex, WEDNESDAY)
    services.complete_exercise(patient, enrolment, ex, WEDNESDAY - dt.timedelta(days=1))
    assert services.undo_completion(patient, ex, WEDNESDAY) is True
    assert services.undo_completion(patient, ex, WEDNESDAY) is False  # a repeated undo is harmless
    # Only that day's completion goes.
    assert list(ExerciseCompletion.objects.values_list("local_date", flat=True)) == [
        WEDNESDAY - dt.timedelta(days=1)
    ]


# --- week progress -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_week_progress_counts_the_programme_week(patient, clinician):
    version = make_version(
        extra=[{"slug": "walk", "title": "Walk", "kind": "physical_activity",
                "cadence": "times_per_week", "times_per_week": 3}]
    )
    enrolment = loaded(enrol(patient, clinician, version))
    write, meditate = exercise(version, "ex-0"), exercise(version, "ex-1")
    for day in (MONDAY, MONDAY + dt.timedelta(days=1), WEDNESDAY):
        services.complete_exercise(patient, enrolment, write, day)
        checkins.save_checkin(patient, day, 5, 5, 5)
    services.complete_exercise(patient, enrolment, meditate, WEDNESDAY)
    # Week 2 activity does not count in week 1.
    week2 = MONDAY + dt.timedelta(days=7)
    services.complete_exercise(patient, enrolment, write, week2)
    checkins.save_checkin(patient, week2, 5, 5, 5)
    # Someone else's check-in does not count either.
    checkins.save_checkin(PatientFactory(), WEDNESDAY, 1, 1, 1)

    # Due so far: two daily exercises Monday to Wednesday, and the walks of days 1 and 3
    # (of days 1, 3 and 5): the count History shows for this week too.
    progress = services.week_progress(enrolment, WEDNESDAY)
    assert progress == services.WeekProgress(done=4, due=3 * 2 + 2, checkin_days=3)
    assert services.week_progress(enrolment, week2) == services.WeekProgress(1, 2 + 1, 1)
    sunday = MONDAY + dt.timedelta(days=6)
    assert services.week_progress(enrolment, sunday) == services.WeekProgress(4, 7 * 2 + 3, 3)


@pytest.mark.django_db
def test_week_progress_follows_a_pause_inside_the_week(patient, clinician):
    version = make_version(exercises=1)
    enrolment = enrol(patient, clinician, version)
    # Paused Wednesday and Thursday: programme day 3 is Friday, the week ends on Tuesday.
    EnrolmentPause.objects.create(
        enrolment=enrolment, start=WEDNESDAY, end=WEDNESDAY + dt.timedelta(days=2)
    )
    enrolment = loaded(enrolment)
    checkins.save_checkin(patient, WEDNESDAY, 5, 5, 5)  # a paused day
    friday, tuesday = dt.date(2026, 3, 6), dt.date(2026, 3, 10)
    checkins.save_checkin(patient, friday, 5, 5, 5)
    checkins.save_checkin(patient, tuesday, 5, 5, 5)
    services.complete_exercise(patient, enrolment, exercise(version), tuesday)
    assert services.week_progress(enrolment, friday) == services.WeekProgress(0, 3, 1)
    progress = services.week_progress(enrolment, tuesday)  # day 7
    assert progress == services.WeekProgress(done=1, due=7, checkin_days=2)
    assert services.week_progress(enrolment, WEDNESDAY) == services.WeekProgress(0, 0, 0)


@pytest.mark.django_db
def test_week_progress_is_empty_outside_the_programme(patient, clinician):
    enrolment = loaded(enrol(patient, clinician, make_version(weeks=1)))
    empty = services.WeekProgress(0, 0, 0)
    assert services.week_progress(enrolment, MONDAY - dt.timedelta(days=1)) == empty
    assert services.week_progress(enrolment, MONDAY + dt.timedelta(days=7)) == empty


# --- today_context -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_today_context_gathers_the_day(patient, clinician):
    version = make_version(extra=[{"slug": "later", "title": "Week 2 only", "weeks": [2]}])
    enrolment = enrol(patient, clinician, version)
    checkins.save_checkin(patient, WEDNESDAY, 6, 4, 5)
    services.complete_exercise(patient, loaded(enrolment), exercise(version), WEDNESDAY)
    ctx = services.today_context(patient, WEDNESDAY)
    assert ctx.enrolled
    [programme] = ctx.programmes
    assert programme.label == "Week 1, day 3 of the MBM workshop"
    assert programme.week is not None and programme.week.title == "Week 1 theme"
    assert [(c.exercise.slug, c.done) for c in programme.cards] == [("ex-0", True), ("ex-1", False)]
    assert programme.cards[0].entry_kind == "free_writing"
    assert programme.cards[1].is_meditation and programme.cards[1].entry_kind is None
    assert programme.progress == services.WeekProgress(done=1, due=6, checkin_days=1)
    assert ctx.checkin is not None and ctx.checkin.pain == 6
    assert ctx.card(exercise(version, "later").pk) is None


@pytest.mark.django_db
def test_an_exercise_done_today_keeps_its_card_when_the_programme_is_paused(patient, clinician):
    version = make_version()
    enrolment = enrol(patient, clinician, version)
    services.complete_exercise(patient, loaded(enrolment), exercise(version), WEDNESDAY)
    EnrolmentPause.objects.create(enrolment=enrolment, start=WEDNESDAY)
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.PAUSED)
    [programme] = services.today_context(patient, WEDNESDAY).programmes
    assert programme.plan.state == "paused"
    assert [c.exercise.slug for c in programme.cards] == ["ex-0"]  # so it can still be undone
    assert programme.progress is None


@pytest.mark.django_db
def test_a_paused_status_means_nothing_is_due(patient, clinician):
    version = make_version()
    enrolment = enrol(patient, clinician, version, status=Enrolment.Status.PAUSED)
    [programme] = services.today_context(patient, WEDNESDAY).programmes
    assert programme.plan.state == "paused" and programme.cards == []
    with pytest.raises(ValidationError):
        services.complete_exercise(patient, loaded(enrolment), exercise(version), WEDNESDAY)


@pytest.mark.django_db
def test_without_an_open_enrolment_the_last_completed_one_is_shown(patient, clinician):
    version = make_version()
    enrol(patient, clinician, version, status=Enrolment.Status.WITHDRAWN, withdrawn_on=MONDAY)
    assert not services.today_context(patient, WEDNESDAY).enrolled
    enrol(patient, clinician, version, status=Enrolment.Status.COMPLETED, completed_on=MONDAY)
    [programme] = services.today_context(patient, WEDNESDAY).programmes
    assert programme.plan.state == "finished"
    assert programme.label == "You have finished the MBM workshop"


@pytest.mark.django_db
def test_next_meeting_is_the_nearest_cohort_occurrence(patient, clinician):
    version = make_version(
        sessions=[{"title": "Session one", "week": 1, "day": 1},
                  {"title": "Session two", "week": 2, "day": 1},
                  {"title": "Session three", "week": 3, "day": 1}]
    )
    enrolment = enrol(patient, clinician, version)
    cohort = make_cohort(version, enrolment)
    one, two, three = version.sessions.order_by("week")
    at = dt.datetime(2026, 3, 9, 23, 0, tzinfo=dt.UTC)
    Occurrence.objects.create(cohort=cohort, session=one, starts_at=at - dt.timedelta(days=7),
                              duration_minutes=120)  # past
    Occurrence.objects.create(cohort=cohort, session=two, starts_at=at, duration_minutes=120,
                              cancelled=True)
    Occurrence.objects.create(cohort=cohort, session=three, starts_at=at + dt.timedelta(days=7),
                              duration_minutes=90, location="Hall B")
    # Another cohort's meeting, sooner, is not this patient's.
    other = enrol(PatientFactory(), clinician, version)
    other_cohort = make_cohort(version, other)
    Occurrence.objects.create(cohort=other_cohort, session=two, starts_at=at, duration_minutes=120)
    with time_machine.travel(WEDNESDAY_NOON_UTC, tick=False):
        meeting = services.today_context(patient, WEDNESDAY).next_meeting
    assert meeting is not None
    assert meeting.title == "Session three"
    assert meeting.starts_at == at + dt.timedelta(days=7)
    assert meeting.local_date == dt.date(2026, 3, 16)  # 19:00 in New York
    assert meeting.location == "Hall B"
    assert meeting.video_link == "https://video.example.test/room4"


@pytest.mark.django_db
def test_next_meeting_falls_back_to_the_plan_within_two_weeks(patient, clinician):
    version = make_version(
        weeks=4,
        sessions=[{"title": "First consultation", "kind": "initial_consultation", "week": 1, "day": 1},
                  {"title": "Follow-up visit", "kind": "follow_up", "week": 3, "day": 1}],
    )
    enrol(patient, clinician, version)
    with time_machine.travel(WEDNESDAY_NOON_UTC, tick=False):
        meeting = services.today_context(patient, WEDNESDAY).next_meeting
        assert meeting is not None
        assert (meeting.title, meeting.local_date) == ("Follow-up visit", dt.date(2026, 3, 16))
        assert meeting.kind == "Follow-up consultation" and meeting.starts_at is None
        # More than 14 days ahead is not "next" yet.
        assert services.today_context(patient, MONDAY - dt.timedelta(days=15)).next_meeting is None


@pytest.mark.django_db
def test_today_context_costs_a_fixed_number_of_queries(patient, clinician, django_assert_num_queries):
    for slug, n in (("small", 3), ("large", 8)):
        enrol(patient, clinician, make_version(exercises=n, slug=slug, title=slug))
    patient = type(patient).objects.select_related("patient_profile").get(pk=patient.pk)
    # 5 for the enrolments and their versions, completions, check-ins, the next occurrence.
    with django_assert_num_queries(8), time_machine.travel(WEDNESDAY_NOON_UTC, tick=False):
        ctx = services.today_context(patient, WEDNESDAY)
    assert [len(p.cards) for p in ctx.programmes] == [3, 8]
