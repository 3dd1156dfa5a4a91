"""Curricula versions: validation, publishing, drafting, comparing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from programs import versions
from programs.models import ExerciseTemplate, ProgramVersion, Session, Week
from tests.programs.builders import build_version, exercise, session

pytestmark = pytest.mark.django_db
Cadence = ExerciseTemplate.Cadence


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
    assert versions.validation_errors(version) == []


def test_a_version_needs_a_week() -> None:
    version = build_version(weeks=0, exercises=[])
    assert versions.validation_errors(version) == ["Add at least one week."]


def test_weeks_are_numbered_without_gaps_and_each_has_content() -> None:
    version = build_version(weeks=2, education=False, exercises=[exercise("w", weeks=[1])])
    Week.objects.filter(version=version, number=2).update(number=4)
    errors = versions.validation_errors(version)
    assert (
        "Week 4 “Week 2 title”: should be number 2: weeks are numbered 1 to 2 in order, "
        "without gaps." in errors
    )
    assert any(e.startswith("Week 4 “Week 2 title”: nothing is planned that week") for e in errors)


def test_education_alone_is_content() -> None:
    version = build_version(weeks=2, exercises=[exercise("w", weeks=[1])])
    assert versions.validation_errors(version) == []


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
    errors = versions.validation_errors(version)
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
    assert versions.validation_errors(version) == [message]


# --- publishing ---------------------------------------------------------------------------------


def test_publish_freezes_a_valid_draft_and_retires_the_previous_version() -> None:
    v1 = build_version(publish=True)
    assert v1.status == ProgramVersion.Status.PUBLISHED and v1.published_at is not None
    v2 = versions.new_draft_from(v1)
    versions.publish(v2)
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
        versions.publish(version)
    assert len(exc.value.messages) >= 5  # 3 empty weeks, 2 exercises, 1 session
    assert any("Exercise “A”" in m for m in exc.value.messages)
    assert any("Session “S”" in m for m in exc.value.messages)
    version.refresh_from_db()
    assert version.status == ProgramVersion.Status.DRAFT and version.published_at is None


def test_publish_refuses_a_version_that_is_not_a_draft() -> None:
    version = build_version(publish=True)
    with pytest.raises(ValidationError, match="already published; only a draft"):
        versions.publish(version)


def test_publish_refuses_a_draft_older_than_the_published_version() -> None:
    v1 = build_version()
    v2 = versions.new_draft_from(v1)
    versions.publish(v2)
    with pytest.raises(ValidationError, match="older than the published version 2"):
        versions.publish(v1)


# --- drafting and comparing ---------------------------------------------------------------------


def test_new_draft_is_a_deep_copy_numbered_after_the_newest() -> None:
    v1 = build_version(
        exercises=[exercise("audio", weeks=[1, 2], media_url="https://example.test/a.mp3",
                            media_file="exercise-media/med.mp3", rest_days=[6])],
        sessions=[session("consult"), session("group", kind=Session.Kind.GROUP, week=2)],
        publish=True,
        is_group=True,
    )
    build_version()  # v2, a draft of the same programme
    draft = versions.new_draft_from(v1)
    assert draft.number == 3 and draft.status == ProgramVersion.Status.DRAFT
    assert versions.diff_versions(v1, draft) == []
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
    v2 = versions.new_draft_from(v1)
    v2.exercises.filter(slug="letter").update(estimated_minutes=20, rest_days=[5, 6])
    v2.exercises.filter(slug="gone").delete()
    v2.sessions.filter(slug="consult").update(duration_minutes=90, agenda="A" * 100)
    v2.weeks.create(number=4, title="Maintenance", education="Keep going.")
    Session.objects.create(version=v2, **session("follow-up", title="Follow-up", week=4))
    Week.objects.filter(version=v2, number=2).update(title="Thinking psychologically")
    changes = versions.diff_versions(v1, v2)
    assert "Exercise “Unsent letter”: estimated minutes 15 → 20" in changes
    assert "Exercise “Unsent letter”: rest days (none) → Saturday, Sunday" in changes
    assert "Removed exercise “Gone”" in changes
    assert "Session “Consultation”: duration minutes 45 → 90" in changes
    assert "Session “Consultation”: agenda changed" in changes
    assert "Added session “Follow-up”" in changes
    assert "Added week 4 “Maintenance”" in changes
    assert "Week 2 “Week 2 title”: title “Week 2 title” → “Thinking psychologically”" in changes
    assert len(changes) == 8
    assert "Removed week 4 “Maintenance”" in versions.diff_versions(v2, v1)


def test_compare_ignores_line_endings_stored_before_they_were_normalised() -> None:
    v1 = build_version()
    v1.weeks.update(goals="First line\r\nsecond line")  # a bulk write skips save()
    v2 = versions.new_draft_from(v1)
    assert set(v2.weeks.values_list("goals", flat=True)) == {"First line\nsecond line"}
    assert versions.diff_versions(v1, v2) == []
