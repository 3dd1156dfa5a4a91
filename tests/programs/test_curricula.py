"""The four shipped curricula: they import, round-trip, schedule sensibly, and hold what their
seed documents say."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from programs.models import Enrolment, ExerciseTemplate, Program, ProgramVersion, Session
from programs.schedule import plan_for
from programs.yaml_io import CURRICULA_DIR, export_curriculum, import_curriculum, parse_curriculum

FILES = sorted(CURRICULA_DIR.glob("*.yaml"))
SEEDS = ["000_25bf637c5deee875", "001_572f937b6b6721d3", "002_fbefe1f104ec6d1a",
         "003_8309b51ff7ce9e0f", "004_500cc1fe04389780"]
SLUGS = {"mbm-workshop", "group-psychotherapy-8wk", "mind-body-12wk", "home-programme"}


def load(slug: str) -> ProgramVersion:
    return import_curriculum(CURRICULA_DIR / f"{slug}.yaml")


def test_the_four_programmes_are_shipped() -> None:
    assert {p.stem for p in FILES} == SLUGS
    for path in FILES:
        assert parse_curriculum(path.read_text())["program"]["slug"] == path.stem


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_file_cites_its_seed(path: Path) -> None:
    content = path.read_text()
    assert content.startswith("# ")
    data = parse_curriculum(content)
    assert any(f"shared/seeds/{seed}.txt" in data["program"]["source"] for seed in SEEDS)
    assert "shared/seeds/" in data["version"]["source"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_round_trip(path: Path) -> None:
    version = import_curriculum(path)
    assert version.status == ProgramVersion.Status.PUBLISHED
    assert parse_curriculum(export_curriculum(version)) == parse_curriculum(path.read_text())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_text_is_complete_and_placeholders_are_marked(path: Path) -> None:
    data = parse_curriculum(path.read_text())
    for week in data["weeks"]:
        assert len(week["education"]) > 200 and week["goals"], week["title"]
    for ex in data["exercises"]:
        if ex["kind"] == "meditation_audio":
            # No real recording ships: the clinic adds its own.
            assert ex["media_url"] == "" and ex["placeholder"]
            assert "clinic adds its recording" in ex["instructions"]
        if ex["kind"] in ("unsent_letter", "stressor_inventory", "symptom_emotion"):
            assert ex["prompt"], ex["slug"]
    for session in data["sessions"]:
        assert session["aims"], session["slug"]
        if session["agenda"]:
            assert session["placeholder"], session["slug"]


@pytest.mark.django_db
def test_load_curricula_is_idempotent() -> None:
    call_command("load_curricula", stdout=StringIO())
    first = list(ProgramVersion.objects.values_list("pk", "status"))
    out = StringIO()
    call_command("load_curricula", stdout=out)
    assert list(ProgramVersion.objects.values_list("pk", "status")) == first
    assert set(Program.objects.values_list("slug", flat=True)) == SLUGS
    assert out.getvalue().count("unchanged") == 4


# --- what the plan gives a patient, day by day ---------------------------------------------------


def simulate(version: ProgramVersion, patient, clinician) -> tuple[Counter, Counter, int]:
    """Occurrences of each exercise and session over the whole programme, via plan_for."""
    start = dt.date(2025, 3, 3)  # a Monday
    enrolment = Enrolment.objects.create(
        patient=patient, clinician=clinician, version=version, start_date=start
    )
    exercises: Counter = Counter()
    sessions: Counter = Counter()
    days = version.weeks.count() * 7
    for i in range(days):
        plan = plan_for(enrolment, start + dt.timedelta(days=i))
        assert plan.state == "active"
        exercises.update(ex.slug for ex in plan.exercises)
        sessions.update(s.slug for s in plan.sessions)
    assert plan_for(enrolment, start + dt.timedelta(days=days)).state == "finished"
    return exercises, sessions, days


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(SLUGS))
def test_every_item_is_scheduled_as_its_cadence_says(slug: str, patient, clinician) -> None:
    version = load(slug)
    exercises, sessions, _ = simulate(version, patient, clinician)
    assert sessions == Counter({s.slug: 1 for s in version.sessions.all()})
    for ex in version.exercises.all():
        expected = {
            "daily": 7 - len(ex.rest_days),
            "times_per_week": ex.times_per_week,
            "weekdays": len(ex.weekdays),
        }.get(ex.cadence)
        total = 1 if ex.cadence == "once" else expected * len(ex.weeks)
        assert exercises[ex.slug] == total, ex.slug


# --- each programme holds what its seed says ---------------------------------------------------


def sessions_of(version: ProgramVersion, kind: str) -> list[Session]:
    return list(version.sessions.filter(kind=kind).order_by("week", "day"))


def exercise_kinds(version: ProgramVersion) -> dict[str, list[ExerciseTemplate]]:
    out: dict[str, list[ExerciseTemplate]] = {}
    for ex in version.exercises.all():
        out.setdefault(ex.kind, []).append(ex)
    return out


@pytest.mark.django_db
def test_mbm_workshop_follows_seed_001() -> None:
    version = load("mbm-workshop")
    assert version.program.is_group and not version.program.requires_screening
    assert "001_572f937b6b6721d3" in version.program.source
    [evaluation] = sessions_of(version, Session.Kind.INITIAL_CONSULTATION)
    assert (evaluation.week, evaluation.day, evaluation.duration_minutes) == (1, 1, 90)
    groups = sessions_of(version, Session.Kind.GROUP)
    assert [(s.week, s.duration_minutes) for s in groups] == [(1, 120), (2, 120), (3, 120)]
    [follow_up] = sessions_of(version, Session.Kind.FOLLOW_UP)
    assert follow_up.week in (3, 4)
    assert "plan for future symptom management" in follow_up.aims
    kinds = exercise_kinds(version)
    # Daily for the 3-week workshop: written expression, the meditation audio, affirmations.
    for kind in ("meditation_audio", "self_affirmation"):
        [ex] = kinds[kind]
        assert (ex.cadence, ex.weeks) == ("daily", [1, 2, 3])
    writing = kinds["expressive_writing"] + kinds["unsent_letter"]
    for week in (1, 2, 3):
        assert any(ex.cadence == "daily" and week in ex.weeks for ex in writing), week
    assert kinds["unsent_letter"][0].prompt.startswith("To whom")
    [reading] = kinds["reading"]
    assert "The Mindbody Prescription" in reading.title and "Sarno" in reading.instructions


@pytest.mark.django_db
def test_group_psychotherapy_follows_seed_003_table_1() -> None:
    version = load("group-psychotherapy-8wk")
    assert version.program.is_group and version.program.requires_screening
    assert "severe depression or suicidal thoughts" in version.description
    assert "individually first" in version.description
    assert "suicide" in version.weeks.get(number=1).education
    groups = sessions_of(version, Session.Kind.GROUP)
    assert [s.title for s in groups] == [
        "Relaxation I",
        "Relaxation II",
        "Coping Styles",
        "Coping with Changes in Your Life",
        "Guided Imagery I",
        "Guided Imagery II",
        "Medications and Alternative Medicine Options",
        "Spirituality, Pain and Suffering",
    ]
    assert [s.week for s in groups] == list(range(1, 9))
    assert groups[0].aims == "Learn a basic relaxation exercise, with breathing and muscle relaxation."
    assert groups[1].aims == "Add visualization to the basic relaxation exercise."
    assert groups[4].aims == "Learn a guided imagery technique to decrease pain."
    assert groups[5].aims == "Personalize the guided imagery technique."
    assert groups[7].aims == "Identify spiritual resources to cope with pain."
    assert version.sessions.count() == 8
    kinds = exercise_kinds(version)
    # Breathing, muscle relaxation, visualization and guided imagery practised between sessions.
    practised = {w for k in ("breathing_relaxation", "visualization", "guided_imagery")
                 for ex in kinds[k] for w in ex.weeks if ex.cadence == "daily"}
    assert practised == set(range(1, 9))


@pytest.mark.django_db
def test_mind_body_12wk_follows_seed_004() -> None:
    version = load("mind-body-12wk")
    assert version.program.is_group and version.weeks.count() == 12
    mindfulness = [s for s in sessions_of(version, Session.Kind.GROUP) if s.slug.startswith("mindfulness")]
    assert [(s.week, s.duration_minutes) for s in mindfulness] == [(w, 120) for w in range(1, 9)]
    [retreat] = sessions_of(version, Session.Kind.RETREAT)
    assert retreat.duration_minutes == 360 and 1 <= retreat.week <= 8
    anxiety = [s for s in sessions_of(version, Session.Kind.GROUP) if s.slug.startswith("anxiety")]
    per_week = Counter(s.week for s in anxiety)
    assert per_week == {9: 2, 10: 2, 11: 2, 12: 2}  # twice a week for 4 weeks
    activity = exercise_kinds(version)["physical_activity"]
    assert {w for ex in activity for w in ex.weeks} == set(range(1, 13))
    assert "64%" in version.description


@pytest.mark.django_db
def test_home_programme_follows_seeds_002_and_000() -> None:
    version = load("home-programme")
    assert not version.program.is_group
    assert "002_fbefe1f104ec6d1a" in version.program.source
    assert "000_25bf637c5deee875" in version.program.source
    [initial] = sessions_of(version, Session.Kind.INITIAL_CONSULTATION)
    assert (initial.week, initial.day, initial.duration_minutes) == (1, 1, 45)
    [follow_up] = sessions_of(version, Session.Kind.FOLLOW_UP)
    assert follow_up.week in (3, 4)
    assert version.weeks.get(number=1).title == "Step 1: Accept the diagnosis"
    assert version.weeks.get(number=2).title == "Step 2: Think psychologically"
    kinds = exercise_kinds(version)
    [journal] = [ex for ex in kinds["expressive_writing"] if ex.slug == "daily-journal"]
    assert (journal.cadence, journal.weeks) == ("daily", [1, 2, 3, 4])
    [shifting] = kinds["attention_shifting"]
    assert "blocking, then shifting attention" in shifting.instructions.lower()
    [connection] = kinds["symptom_emotion"]
    assert "Okay, my back hurts. Something's going on. How am I feeling?" in connection.instructions
    for feeling in ("anger", "guilt", "helplessness", "dependency", "sadness", "not good enough"):
        assert feeling in connection.prompt
    activity = kinds["physical_activity"]
    per_week = {w: ex.times_per_week for ex in activity for w in ex.weeks}
    assert per_week[2] < per_week[4]  # gradually more active
