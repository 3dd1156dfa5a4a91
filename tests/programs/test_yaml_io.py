"""Curriculum YAML: strict validation with paths, atomic idempotent import, export round trip,
and the import/export/load commands."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from hypothesis import given, settings
from hypothesis import strategies as st

from programs.models import ExerciseTemplate, Program, ProgramVersion, Session, Week
from programs.yaml_io import (
    CurriculumError,
    export_curriculum,
    import_curriculum,
    import_result,
    parse_curriculum,
)
from programs.yaml_io.exporting import _dump
from tests.programs.builders import doc, text


def errors_of(source: str) -> list[str]:
    with pytest.raises(CurriculumError) as info:
        parse_curriculum(source)
    return info.value.errors


# --- validation ---------------------------------------------------------------------------------


def test_parse_fills_defaults_and_orders_sessions_by_calendar() -> None:
    data = parse_curriculum(text())
    assert data["program"]["requires_screening"] is False
    assert data["version"]["title"] == ""
    writing = data["exercises"][0]
    assert writing["estimated_minutes"] == 10
    assert writing["rest_days"] == [] and writing["times_per_week"] is None
    assert data["exercises"][1]["rest_days"] == [5, 6]  # sorted
    assert [s["slug"] for s in data["sessions"]] == ["intake", "group-2"]


def test_syntax_error_reports_line_and_column() -> None:
    [message] = errors_of("program:\n  slug: x\n  title: [unclosed\nversion: {number: 1}\n")
    assert message.startswith("YAML syntax error at line ")
    assert "column" in message


def test_duplicate_key_is_an_error_with_its_line() -> None:
    [message] = errors_of("program:\n  slug: a\n  slug: b\n")
    assert "duplicate key 'slug'" in message
    assert "line 3" in message


def test_unknown_key_names_its_path_and_suggests() -> None:
    data = doc()
    data["exercises"][3]["cadance"] = "daily"
    [message] = errors_of(text(data))
    assert message.startswith("exercises[3].cadance: unknown key (did you mean 'cadence'?)")


def test_bad_enum_value_lists_the_choices() -> None:
    data = doc()
    data["exercises"][3]["cadence"] = "weekly"
    assert errors_of(text(data)) == [
        "exercises[3].cadence: 'weekly' is not one of daily, weekdays, times_per_week, once"
    ]


def test_missing_required_field() -> None:
    data = doc()
    del data["sessions"][0]["duration_minutes"]
    assert errors_of(text(data)) == ["sessions[0].duration_minutes: required"]


def test_wrong_types() -> None:
    data = doc()
    data["weeks"][1]["number"] = "two"
    data["program"]["is_group"] = "yes please"
    data["exercises"][0]["weeks"] = [1, "2"]
    errors = errors_of(text(data))
    assert "weeks[1].number: expected a whole number, got text 'two'" in errors
    assert any(e.startswith("program.is_group: expected true or false") for e in errors)
    assert any(e.startswith("exercises[0].weeks[1]: expected a whole number") for e in errors)


def test_every_error_is_reported_at_once() -> None:
    data = doc()
    data["program"]["colour"] = "blue"
    del data["version"]["number"]
    data["sessions"][1]["day"] = 8
    data["exercises"][0]["kind"] = "yoga"
    data["exercises"][2]["weeks"] = [9]  # a cross-check, still reported with the field errors
    data["surprise"] = 1
    errors = errors_of(text(data))
    paths = [e.split(":")[0] for e in errors]
    assert paths == [
        "surprise",
        "program.colour",
        "version.number",
        "sessions[1].day",
        "exercises[0].kind",
        "exercises[2].weeks",
    ]


def test_document_must_be_a_mapping() -> None:
    assert errors_of("- just\n- a list\n")[0].startswith("(document): expected a mapping")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["weeks"][1].update(number=3), "weeks[1].number: should be number 2"),
        (lambda d: d["sessions"][0].update(week=3), "sessions[0].week: week 3 is not a week"),
        (lambda d: d["sessions"][1].update(slug="group-2"), "sessions[1].slug: 'group-2' is already used"),
        (lambda d: d["exercises"][1].update(times_per_week=6),
         "exercises[1].times_per_week: times per week must be between 1 and 5"),
        (lambda d: d["exercises"][3].pop("once_day"), "exercises[3].once_day: “once” needs a day of the week"),
        (lambda d: d["exercises"][3].update(once_week=2), "exercises[3].once_week: its “once” week 2 must be one of its active"),
        (lambda d: d["exercises"][3].update(rest_days=[6]), "exercises[3].rest_days: rest days do not apply to a one-off"),
        (lambda d: d["exercises"][0].update(weekdays=[1]), "exercises[0].weekdays: weekdays are only used with"),
        (lambda d: d["exercises"][0].update(times_per_week=3), "exercises[0].times_per_week: times per week is only used"),
        (lambda d: d["exercises"][2].update(weekdays=[]), "exercises[2].weekdays: choose at least one weekday"),
        (lambda d: d["exercises"][2].update(rest_days=[0]), "exercises[2].rest_days: Monday is also among its weekdays"),
        (lambda d: d["exercises"][0].update(rest_days=list(range(7))), "exercises[0].rest_days: every day"),
        (lambda d: d["exercises"][0].update(weeks=[]), "exercises[0].weeks: must list at least one"),
        (lambda d: d["exercises"][0].update(weeks=[1, 1]), "exercises[0].weeks: lists a value twice"),
        (lambda d: d["exercises"][2].update(media_url="ftp://x"), "exercises[2].media_url: 'ftp://x' is not"),
        (lambda d: d["program"].update(slug="Not A Slug"), "program.slug: 'Not A Slug' is not a slug"),
        (lambda d: d["weeks"].append({"number": 3, "title": "Empty"}), "weeks[2]: nothing is planned that week"),
        (lambda d: d["program"].update(is_group=False), "sessions[0].kind: a group session needs a group programme"),
        (lambda d: d["program"].update(requires_screening=True, is_group=False),
         "program.requires_screening: screening is for joining a group"),
        (lambda d: d["sessions"].pop(0), "program.is_group: a group programme needs"),
        (lambda d: d["program"].update(summary=None), "program.summary: expected text, got nothing"),
    ],
)
def test_incoherent_documents(change: Any, expected: str) -> None:
    data = doc()
    change(data)
    errors = errors_of(text(data))
    assert any(e.startswith(expected) for e in errors), errors


# --- import -------------------------------------------------------------------------------------


def counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count() for m in (Program, ProgramVersion, Week, Session, ExerciseTemplate)
    )


@pytest.mark.django_db
def test_import_creates_and_publishes() -> None:
    version = import_curriculum(text())
    assert version.status == ProgramVersion.Status.PUBLISHED and version.published_at
    assert version.program.slug == "test-programme" and version.program.is_group
    assert counts() == (1, 1, 2, 2, 4)
    intake = version.sessions.get(slug="intake")
    assert (intake.week, intake.day, intake.duration_minutes, intake.order) == (1, 1, 90, 0)
    assert [e.slug for e in version.exercises.all()] == ["writing", "walk", "audio", "read"]
    walk = version.exercises.get(slug="walk")
    assert (walk.times_per_week, walk.rest_days) == (5, [5, 6])


@pytest.mark.django_db
def test_import_as_draft_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text())
    version = import_curriculum(path, publish=False)
    assert version.status == ProgramVersion.Status.DRAFT and version.published_at is None
    assert import_curriculum(str(path), publish=False).pk == version.pk


@pytest.mark.django_db
def test_reimporting_identical_content_is_a_no_op() -> None:
    first = import_result(text())
    again = import_result(text())
    assert again.version.pk == first.version.pk
    assert (again.created, again.published) == (False, False)
    assert counts() == (1, 1, 2, 2, 4)


@pytest.mark.django_db
def test_identical_draft_is_published_by_a_publishing_import() -> None:
    draft = import_curriculum(text(), publish=False)
    result = import_result(text())
    assert result.version.pk == draft.pk and result.published
    assert result.version.status == ProgramVersion.Status.PUBLISHED


@pytest.mark.django_db
def test_differing_content_over_a_published_version_is_refused() -> None:
    version = import_curriculum(text())
    changed = doc()
    changed["exercises"][0]["instructions"] = "Write for 30 minutes."
    with pytest.raises(CurriculumError) as info:
        import_curriculum(text(changed))
    assert "published and frozen" in str(info.value)
    assert "create a new version number" in str(info.value)
    assert version.exercises.get(slug="writing").instructions == "Write for 20 minutes."
    assert counts() == (1, 1, 2, 2, 4)


@pytest.mark.django_db
def test_differing_content_over_a_draft_is_refused_too() -> None:
    import_curriculum(text(), publish=False)
    changed = doc()
    changed["weeks"][0]["title"] = "Changed"
    with pytest.raises(CurriculumError, match="a draft version 1 .* already exists"):
        import_curriculum(text(changed))


@pytest.mark.django_db
def test_a_new_version_number_publishes_and_retires_the_old_one() -> None:
    v1 = import_curriculum(text())
    changed = doc()
    changed["version"]["number"] = 2
    changed["program"]["title"] = "Test programme, revised"
    changed["weeks"][0]["title"] = "Changed"
    v2 = import_curriculum(text(changed))
    v1.refresh_from_db()
    assert v2.number == 2 and v2.status == ProgramVersion.Status.PUBLISHED
    assert v1.status == ProgramVersion.Status.RETIRED
    assert v2.program.pk == v1.program.pk
    assert Program.objects.get().title == "Test programme, revised"  # the newest describes it
    # Re-importing the old file now is still a no-op (programme metadata is not versioned).
    assert import_curriculum(text()).pk == v1.pk


@pytest.mark.django_db
def test_an_invalid_last_exercise_leaves_nothing_behind() -> None:
    data = doc()
    data["exercises"][-1]["cadence"] = "weekly"
    with pytest.raises(CurriculumError):
        import_curriculum(text(data))
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_a_database_error_mid_import_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    original = ExerciseTemplate.save

    def failing_save(self: ExerciseTemplate, *args: Any, **kwargs: Any) -> None:
        if self.slug == "read":  # the last exercise: everything else is already written
            raise IntegrityError("disk on fire")
        original(self, *args, **kwargs)

    monkeypatch.setattr(ExerciseTemplate, "save", failing_save)
    with pytest.raises(CurriculumError, match="nothing was imported"):
        import_curriculum(text())
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_a_refused_publish_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ValidationError

    from programs import versions

    def refuse(version: ProgramVersion) -> None:
        raise ValidationError(["Week 2 is empty."])

    monkeypatch.setattr(versions, "publish", refuse)
    with pytest.raises(CurriculumError) as info:
        import_curriculum(text())
    assert info.value.errors == ["version: cannot publish: Week 2 is empty."]
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_an_existing_programme_is_not_left_half_imported() -> None:
    import_curriculum(text())
    data = doc()
    data["version"]["number"] = 2
    data["exercises"].append({"slug": "writing", "kind": "reading", "title": "Dup",
                              "instructions": "x", "weeks": [1]})
    with pytest.raises(CurriculumError):
        import_curriculum(text(data))
    assert counts() == (1, 1, 2, 2, 4)


# --- export -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_round_trips() -> None:
    version = import_curriculum(text())
    exported = export_curriculum(version)
    assert parse_curriculum(exported) == parse_curriculum(text())
    assert exported.startswith("# Test programme: version 1 (Published).")


@pytest.mark.django_db
def test_export_is_readable() -> None:
    exported = export_curriculum(import_curriculum(text()))
    starts = [exported.index(f"\n{key}:") for key in ("program", "version", "weeks",
                                                      "sessions", "exercises")]
    assert starts == sorted(starts)
    assert "agenda: |-\n      1. Hello\n      2. History" in exported  # multi-line text as a block
    assert "requires_screening" not in exported  # defaults are left out
    assert "cadence: daily" in exported  # ... except the ones a reader wants to see


@pytest.mark.django_db
def test_export_of_an_edited_draft_reflects_the_edit() -> None:
    version = import_curriculum(text(), publish=False)
    Week.objects.filter(version=version, number=2).update(title="Edited in the admin")
    assert "title: Edited in the admin" in export_curriculum(version)


# --- commands -------------------------------------------------------------------------------------


def run(*args: Any) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_import_command(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text())
    assert "Imported test-programme version 1 (draft)" in run("import_curriculum", str(path), "--draft")
    assert "now published" in run("import_curriculum", str(path))
    assert "unchanged" in run("import_curriculum", str(path))


@pytest.mark.django_db
def test_import_command_errors_list_the_paths(tmp_path: Path) -> None:
    data = doc()
    data["exercises"][3]["cadence"] = "weekly"
    data["weeks"][0]["titel"] = "x"
    path = tmp_path / "broken.yaml"
    path.write_text(text(data))
    with pytest.raises(CommandError) as info:
        run("import_curriculum", str(path))
    message = str(info.value)
    assert "exercises[3].cadence: 'weekly' is not one of" in message
    assert "weeks[0].titel: unknown key" in message
    assert counts() == (0, 0, 0, 0, 0)
    with pytest.raises(CommandError, match="No such file"):
        run("import_curriculum", str(tmp_path / "missing.yaml"))


@pytest.mark.django_db
def test_export_command_default_and_given_version() -> None:
    import_curriculum(text())
    second = doc()
    second["version"]["number"] = 2
    second["version"]["changelog"] = "Second edition."
    import_curriculum(text(second), publish=False)
    newest_published = run("export_curriculum", "test-programme")
    assert "number: 1" in newest_published and "Second edition" not in newest_published
    draft = run("export_curriculum", "test-programme", "--version", "2")
    assert "number: 2" in draft and "changelog: Second edition." in draft
    assert parse_curriculum(draft) == parse_curriculum(text(second))
    with pytest.raises(CommandError, match="has no version 7"):
        run("export_curriculum", "test-programme", "--version", "7")
    with pytest.raises(CommandError, match="No programme 'nope'"):
        run("export_curriculum", "nope")


@pytest.mark.django_db
def test_export_command_without_a_published_version() -> None:
    import_curriculum(text(), publish=False)
    with pytest.raises(CommandError, match="no published version"):
        run("export_curriculum", "test-programme")


@pytest.mark.django_db
def test_load_curricula_reports_bad_files_and_keeps_good_ones(tmp_path: Path) -> None:
    (tmp_path / "a-good.yaml").write_text(text())
    broken = doc()
    broken["program"]["slug"] = "other"
    broken["sessions"][0]["kind"] = "party"
    (tmp_path / "b-broken.yaml").write_text(text(broken))
    with pytest.raises(CommandError) as info:
        run("load_curricula", "--dir", str(tmp_path))
    assert "b-broken.yaml: sessions[0].kind: 'party' is not one of" in str(info.value)
    assert list(Program.objects.values_list("slug", flat=True)) == ["test-programme"]


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_any_text_survives_the_dumper(value: str) -> None:
    block = {"exercises": [{"instructions": value, "prompt": value + "\n" + value}]}
    assert yaml.load(_dump(block), Loader=yaml.SafeLoader) == block


@pytest.mark.parametrize(
    "value",
    ["yes", "123", "null", "a: b", "- item", "# not a comment", "  indented\nline", "x" * 300,
     "para one " * 30 + "\n\n  indented para\n" + "para two " * 30, "tab\there", "émoji 🙂 — ok"],
)
def test_tricky_text_round_trips_through_export(value: str) -> None:
    block = {"weeks": [{"number": 1, "title": "T", "education": value}]}
    assert yaml.load(_dump(block), Loader=yaml.SafeLoader) == block
