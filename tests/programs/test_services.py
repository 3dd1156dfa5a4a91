"""Curricula rules: validation, publishing, drafting, comparing; an enrolment's life."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from programs import services
from programs.models import (
    Enrolment,
    EnrolmentPause,
    ExerciseTemplate,
    ProgramVersion,
    Session,
    Week,
)
from programs.schedule import plan_for
from tests.factories import AdminFactory, ClinicFactory, ClinicianFactory
from tests.programs.builders import build_version, exercise, session

pytestmark = pytest.mark.django_db
Cadence = ExerciseTemplate.Cadence
MONDAY = dt.date(2025, 3, 3)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


# --- validation -------------------------------------------------------------------------------


def test_a_complete_version_has_no_errors() -> None:
    version = build_version(
        exercises=[
            exercise("write", weeks=[1, 2, 3], rest_days=[6]),
            exercise("walk", weeks=[2], cadence=Cadence.TIMES_PER_WEEK, times_per_week=6,
                     rest_days=[6]),
            exercise("letter", weeks=[3], cadence=Cadence.WEEKDAYS, weekdays=[0, 3]),
            exercise("read", weeks=[1], cadence=Cadence.ONCE, once_day=2),
        ],
        sessions=[session("consult", week=1, day=1)],
    )
    assert services.validation_errors(version) == []


def test_a_version_needs_a_week() -> None:
    version = build_version(weeks=0, exercises=[])
    assert services.validation_errors(version) == ["Add at least one week."]


def test_weeks_are_numbered_without_gaps_and_each_has_content() -> None:
    version = build_version(weeks=2, education=False, exercises=[exercise("w", weeks=[1])])
    Week.objects.filter(version=version, number=2).update(number=4)
    errors = services.validation_errors(version)
    assert "Weeks must be numbered 1 to 2 without gaps; they are numbered 1, 4." in errors
    assert any(e.startswith("Week 4 “Week 2 title” is empty") for e in errors)


def test_education_alone_is_content() -> None:
    version = build_version(weeks=2, exercises=[exercise("w", weeks=[1])])
    assert services.validation_errors(version) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"weeks": []}, "Exercise “Bad”: choose at least one week it is active in."),
        ({"weeks": [0, 5]}, "Exercise “Bad”: week 0, 5 is not a week of this version (1–3)."),
        ({"weeks": "1"}, "Exercise “Bad”: weeks must be a list of week numbers such as [1, 2]."),
        ({"rest_days": list(range(7))}, "every day is a rest day, so it would never be due"),
        ({"rest_days": [7]}, "rest days must be weekdays 0 (Monday) to 6 (Sunday)"),
        ({"cadence": Cadence.WEEKDAYS}, "choose at least one weekday"),
        ({"cadence": Cadence.WEEKDAYS, "weekdays": [8]}, "weekdays must be 0 (Monday) to 6"),
        ({"cadence": Cadence.WEEKDAYS, "weekdays": [5], "rest_days": [5, 6]},
         "all its weekdays are rest days"),
        ({"cadence": Cadence.TIMES_PER_WEEK}, "times per week must be between 1 and 7"),
        ({"cadence": Cadence.TIMES_PER_WEEK, "times_per_week": 6, "rest_days": [5, 6]},
         "times per week must be between 1 and 5 (7 days minus 2 rest days); it is 6."),
        ({"cadence": Cadence.ONCE}, "“once” needs a day of the week between 1 and 7"),
        ({"cadence": Cadence.ONCE, "once_day": 8}, "“once” needs a day of the week"),
        ({"cadence": Cadence.ONCE, "once_day": 1, "once_week": 3},
         "its “once” week 3 must be one of its active weeks"),
        ({"cadence": Cadence.ONCE, "once_day": 1, "rest_days": [0]},
         "rest days do not apply to a one-off exercise"),
    ],
)
def test_exercise_cadence_errors_name_the_exercise(fields, message) -> None:
    version = build_version(exercises=[exercise("good", weeks=[1, 2, 3]),
                                       exercise("bad", title="Bad", **fields)])
    errors = services.validation_errors(version)
    assert len(errors) == 1, errors
    assert errors[0].startswith("Exercise “Bad”:")
    assert message in errors[0]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"week": 4}, "Session “Intro”: week 4 is not a week of this version (1–3)."),
        ({"day": 8}, "Session “Intro”: day 8 must be between 1 and 7."),
        ({"day": 0}, "Session “Intro”: day 0 must be between 1 and 7."),
        ({"duration_minutes": 0}, "Session “Intro”: the duration must be more than 0 minutes."),
    ],
)
def test_session_errors_name_the_session(fields, message) -> None:
    version = build_version(sessions=[session("intro", title="Intro", **fields)])
    assert services.validation_errors(version) == [message]


# --- publishing ---------------------------------------------------------------------------------


def test_publish_freezes_a_valid_draft_and_retires_the_previous_version() -> None:
    v1 = build_version(publish=True)
    assert v1.status == ProgramVersion.Status.PUBLISHED and v1.published_at is not None
    v2 = services.new_draft_from(v1)
    services.publish(v2)
    assert v2.status == ProgramVersion.Status.PUBLISHED
    v1.refresh_from_db()
    assert v1.status == ProgramVersion.Status.RETIRED and v1.is_frozen
    assert v1.program.latest_published() == v2


def test_publish_refuses_an_invalid_draft_with_every_message() -> None:
    version = build_version(
        exercises=[exercise("a", title="A", weeks=[9]), exercise("b", title="B", weeks=[])],
        sessions=[session("s", title="S", day=9)],
        education=False,
    )
    with pytest.raises(ValidationError) as exc:
        services.publish(version)
    assert len(exc.value.messages) >= 5  # 3 empty weeks, 2 exercises, 1 session
    assert any("Exercise “A”" in m for m in exc.value.messages)
    assert any("Session “S”" in m for m in exc.value.messages)
    version.refresh_from_db()
    assert version.status == ProgramVersion.Status.DRAFT and version.published_at is None


def test_publish_refuses_a_version_that_is_not_a_draft() -> None:
    version = build_version(publish=True)
    with pytest.raises(ValidationError, match="already published; only a draft"):
        services.publish(version)


def test_publish_refuses_a_draft_older_than_the_published_version() -> None:
    v1 = build_version()
    v2 = services.new_draft_from(v1)
    services.publish(v2)
    with pytest.raises(ValidationError, match="older than the published version 2"):
        services.publish(v1)


# --- drafting and comparing ---------------------------------------------------------------------


def test_new_draft_is_a_deep_copy_numbered_after_the_newest() -> None:
    v1 = build_version(
        exercises=[exercise("audio", weeks=[1, 2], media_url="https://example.test/a.mp3",
                            media_file="exercise-media/med.mp3", rest_days=[6])],
        sessions=[session("consult"), session("group", kind=Session.Kind.GROUP, week=2)],
        publish=True,
    )
    build_version()  # v2, a draft of the same programme
    draft = services.new_draft_from(v1)
    assert draft.number == 3 and draft.status == ProgramVersion.Status.DRAFT
    assert services.diff_versions(v1, draft) == []
    assert draft.weeks.count() == 3 and draft.sessions.count() == 2
    audio = draft.exercises.get()
    assert audio.media_file.name == "exercise-media/med.mp3"
    assert audio.rest_days == [6] and audio.pk != v1.exercises.get().pk
    audio.weeks.append(3)
    audio.save()
    assert v1.exercises.get().weeks == [1, 2]


def test_diff_lists_added_removed_and_changed_items_field_by_field() -> None:
    v1 = build_version(
        exercises=[exercise("letter", title="Unsent letter", estimated_minutes=15),
                   exercise("gone", title="Gone", cadence=Cadence.WEEKDAYS, weekdays=[0])],
        sessions=[session("consult", title="Consultation")],
        publish=True,
    )
    v2 = services.new_draft_from(v1)
    v2.exercises.filter(slug="letter").update(estimated_minutes=20, rest_days=[5, 6])
    v2.exercises.filter(slug="gone").delete()
    v2.sessions.filter(slug="consult").update(duration_minutes=90, agenda="A" * 100)
    v2.weeks.create(number=4, title="Maintenance", education="Keep going.")
    Session.objects.create(version=v2, **session("follow-up", title="Follow-up", week=4))
    Week.objects.filter(version=v2, number=2).update(title="Thinking psychologically")
    changes = services.diff_versions(v1, v2)
    assert "Exercise “Unsent letter”: estimated minutes 15 → 20" in changes
    assert "Exercise “Unsent letter”: rest days (none) → Saturday, Sunday" in changes
    assert "Removed exercise “Gone”" in changes
    assert "Session “Consultation”: duration minutes 45 → 90" in changes
    assert "Session “Consultation”: agenda changed" in changes
    assert "Added session “Follow-up”" in changes
    assert "Added week 4 “Maintenance”" in changes
    assert "Week 2 “Week 2 title”: title “Week 2 title” → “Thinking psychologically”" in changes
    assert len(changes) == 8
    assert "Removed week 4 “Maintenance”" in services.diff_versions(v2, v1)


# --- enrolling ------------------------------------------------------------------------------------


def test_enrol_takes_the_newest_published_version(patient, clinician) -> None:
    v1 = build_version(publish=True)
    services.new_draft_from(v1)  # a draft is never chosen
    enrolment = services.enrol(patient, clinician, MONDAY, program=v1.program)
    assert enrolment.version == v1 and enrolment.program == v1.program
    assert enrolment.status == Enrolment.Status.ACTIVE and enrolment.start_date == MONDAY


def test_enrol_refuses_without_a_published_version(patient, clinician) -> None:
    draft = build_version()
    with pytest.raises(ValidationError, match="has no published version yet"):
        services.enrol(patient, clinician, MONDAY, program=draft.program)
    with pytest.raises(ValidationError, match="is draft; patients can only be enrolled"):
        services.enrol(patient, clinician, MONDAY, version=draft)


def test_enrol_refuses_a_retired_version(patient, clinician) -> None:
    v1 = build_version(publish=True)
    services.publish(services.new_draft_from(v1))
    v1.refresh_from_db()
    with pytest.raises(ValidationError, match="is retired"):
        services.enrol(patient, clinician, MONDAY, version=v1)


def test_enrol_refuses_across_clinics_and_wrong_roles(patient, clinician) -> None:
    version = build_version(publish=True)
    elsewhere = ClinicianFactory(clinic=ClinicFactory(slug="elsewhere"), totp=False)
    with pytest.raises(ValidationError, match="belong to different clinics"):
        services.enrol(patient, elsewhere, MONDAY, version=version)
    with pytest.raises(ValidationError, match="is not a patient account"):
        services.enrol(clinician, clinician, MONDAY, version=version)
    with pytest.raises(ValidationError, match="is not a clinician account"):
        services.enrol(patient, AdminFactory(totp=False), MONDAY, version=version)
    assert not Enrolment.objects.exists()


def test_enrol_refuses_a_second_open_enrolment_in_the_programme(patient, clinician) -> None:
    version = build_version(publish=True)
    first = services.enrol(patient, clinician, MONDAY, version=version)
    services.pause(first, MONDAY + days(2))
    with pytest.raises(ValidationError, match="is already enrolled in"):
        services.enrol(patient, clinician, MONDAY, program=version.program)
    services.withdraw(first, MONDAY + days(3))
    again = services.enrol(patient, clinician, MONDAY + days(10), program=version.program)
    assert again.pk != first.pk


def test_a_lost_race_on_the_constraint_gives_the_same_message(
    patient, clinician, monkeypatch
) -> None:
    version = build_version(publish=True)
    services.enrol(patient, clinician, MONDAY, version=version)
    monkeypatch.setattr(services, "enrolment_problems", lambda *a, **k: [])
    with pytest.raises(ValidationError, match="is already enrolled in"):
        services.enrol(patient, clinician, MONDAY, version=version)
    assert Enrolment.objects.count() == 1  # and the transaction is still usable


# --- an enrolment's life ------------------------------------------------------------------------


@pytest.fixture
def enrolment(patient, clinician) -> Enrolment:
    version = build_version(publish=True)
    return services.enrol(patient, clinician, MONDAY, version=version)


def test_pause_and_resume_shift_the_schedule(enrolment) -> None:
    services.pause(enrolment, MONDAY + days(3), reason="Surgery")
    assert enrolment.status == Enrolment.Status.PAUSED
    assert enrolment.status_changed_on == MONDAY + days(3)
    assert plan_for(enrolment, MONDAY + days(4)).state == "paused"
    services.resume(enrolment, MONDAY + days(8))
    assert enrolment.status == Enrolment.Status.ACTIVE
    pause = EnrolmentPause.objects.get()
    assert (pause.start, pause.end, pause.reason) == (MONDAY + days(3), MONDAY + days(8), "Surgery")
    # Programme day 4 (index 3) now falls on the resume date: five paused days later.
    assert plan_for(enrolment, MONDAY + days(8)).day_index == 3
    assert plan_for(enrolment, MONDAY + days(21 + 5)).state == "finished"
    assert plan_for(enrolment, MONDAY + days(20 + 5)).state == "active"


def test_repeated_transitions_change_nothing(enrolment) -> None:
    services.pause(enrolment, MONDAY + days(3))
    services.pause(enrolment, MONDAY + days(5))  # a double submit
    assert EnrolmentPause.objects.count() == 1
    assert enrolment.status_changed_on == MONDAY + days(3)
    services.resume(enrolment, MONDAY + days(6))
    services.resume(enrolment, MONDAY + days(9))
    assert EnrolmentPause.objects.get().end == MONDAY + days(6)
    services.complete(enrolment, MONDAY + days(20))
    services.complete(enrolment, MONDAY + days(25))
    assert enrolment.completed_on == MONDAY + days(20)


def test_a_pause_cannot_overlap_an_earlier_one_nor_resume_before_it(enrolment) -> None:
    services.pause(enrolment, MONDAY + days(3))
    with pytest.raises(ValidationError, match="before the pause began"):
        services.resume(enrolment, MONDAY + days(2))
    services.resume(enrolment, MONDAY + days(6))
    with pytest.raises(ValidationError, match="an earlier pause ran until"):
        services.pause(enrolment, MONDAY + days(5))


def test_complete_and_withdraw_end_the_plan_and_close_an_open_pause(enrolment) -> None:
    services.pause(enrolment, MONDAY + days(3))
    services.withdraw(enrolment, MONDAY + days(7))
    assert enrolment.status == Enrolment.Status.WITHDRAWN
    assert enrolment.withdrawn_on == MONDAY + days(7) and not enrolment.is_open
    assert EnrolmentPause.objects.get().end == MONDAY + days(7)
    assert plan_for(enrolment, MONDAY + days(7)).state == "finished"
    assert plan_for(enrolment, MONDAY + days(2)).state == "active"
    with pytest.raises(ValidationError, match="is withdrawn, so it cannot be completed"):
        services.complete(enrolment, MONDAY + days(8))
    with pytest.raises(ValidationError, match="is withdrawn, so it cannot be paused"):
        services.pause(enrolment, MONDAY + days(8))
    with pytest.raises(ValidationError, match="is withdrawn, so it cannot be resumed"):
        services.resume(enrolment, MONDAY + days(8))


def test_a_completed_enrolment_cannot_be_withdrawn(enrolment) -> None:
    services.complete(enrolment, MONDAY + days(21))
    assert enrolment.completed_on == MONDAY + days(21)
    with pytest.raises(ValidationError, match="is completed, so it cannot be withdrawn"):
        services.withdraw(enrolment, MONDAY + days(22))
