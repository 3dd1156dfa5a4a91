"""A published version is frozen through every write path: instance save/delete, QuerySet
update/delete, bulk_create/bulk_update, moving content between versions, and import."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from programs import versions
from programs.models import (
    Enrolment,
    ExerciseTemplate,
    FrozenVersionError,
    ProgramVersion,
    Session,
    Week,
)
from tests.programs.builders import build_version, exercise, session

pytestmark = pytest.mark.django_db


@pytest.fixture
def published() -> ProgramVersion:
    return build_version(sessions=[session("consult")], publish=True)


@pytest.fixture
def draft() -> ProgramVersion:
    return build_version("other-programme")


def snapshot(version: ProgramVersion) -> tuple:
    version = ProgramVersion.objects.get(pk=version.pk)
    return (
        version.status,
        version.title,
        list(version.weeks.values_list("number", "title", "education")),
        list(version.sessions.values_list("slug", "title", "week", "day")),
        list(version.exercises.values_list("slug", "title", "weeks", "estimated_minutes")),
    )


def test_a_published_version_refuses_save_and_delete(published) -> None:
    before = snapshot(published)
    published.title = "Changed"
    with pytest.raises(FrozenVersionError):
        published.save()
    with pytest.raises(FrozenVersionError):
        ProgramVersion.objects.get(pk=published.pk).delete()
    assert snapshot(published) == before


def test_only_published_to_retired_is_allowed(published) -> None:
    version = ProgramVersion.objects.get(pk=published.pk)
    version.status = ProgramVersion.Status.DRAFT
    with pytest.raises(FrozenVersionError):
        version.save()
    version.status = ProgramVersion.Status.RETIRED
    version.save(update_fields=["status"])
    version.status = ProgramVersion.Status.PUBLISHED
    with pytest.raises(FrozenVersionError):
        version.save(update_fields=["status"])
    assert ProgramVersion.objects.get(pk=published.pk).status == "retired"


def test_version_querysets_refuse_update_and_delete_of_frozen_rows(published, draft) -> None:
    with pytest.raises(FrozenVersionError):
        ProgramVersion.objects.filter(pk=published.pk).update(title="Bulk")
    with pytest.raises(FrozenVersionError):
        ProgramVersion.objects.all().delete()
    assert ProgramVersion.objects.filter(title="Bulk").count() == 0
    assert ProgramVersion.objects.count() == 2
    # Drafts stay editable in bulk.
    assert ProgramVersion.objects.filter(pk=draft.pk).update(title="Renamed") == 1


@pytest.mark.parametrize("model", [Week, Session, ExerciseTemplate])
def test_content_refuses_instance_save_and_delete(published, model) -> None:
    row = model.objects.filter(version=published).first()
    row.title = "Changed"
    with pytest.raises(FrozenVersionError):
        row.save()
    with pytest.raises(FrozenVersionError):
        row.delete()
    assert model.objects.get(pk=row.pk).title != "Changed"


@pytest.mark.parametrize("model", [Week, Session, ExerciseTemplate])
def test_content_querysets_refuse_update_delete_and_bulk_update(published, model) -> None:
    qs = model.objects.filter(version=published)
    with pytest.raises(FrozenVersionError):
        qs.update(title="Bulk")
    with pytest.raises(FrozenVersionError):
        qs.delete()
    rows = list(qs)
    for row in rows:
        row.title = "Bulk"
    # bulk_update runs inside an atomic block without a savepoint: give it one here.
    with pytest.raises(FrozenVersionError), transaction.atomic():
        model.objects.bulk_update(rows, ["title"])
    with pytest.raises(FrozenVersionError):
        published.weeks.all().delete()
    assert not model.objects.filter(title="Bulk").exists()
    assert qs.count() == len(rows)


def test_no_content_can_be_added_to_a_frozen_version(published) -> None:
    before = snapshot(published)
    with pytest.raises(FrozenVersionError):
        Week.objects.create(version=published, number=9, title="Extra")
    with pytest.raises(FrozenVersionError):
        published.weeks.create(number=9, title="Extra")
    with pytest.raises(FrozenVersionError):
        Week.objects.bulk_create([Week(version=published, number=9, title="Extra")])
    with pytest.raises(FrozenVersionError):
        Session.objects.bulk_create([Session(version=published, **session("late"))])
    with pytest.raises(FrozenVersionError):
        ExerciseTemplate.objects.bulk_create(
            [ExerciseTemplate(version=published, **exercise("late"))]
        )
    with pytest.raises(FrozenVersionError):
        ExerciseTemplate.objects.get_or_create(
            version=published, slug="new", defaults=exercise("new")
        )
    assert snapshot(published) == before


def test_content_cannot_move_into_or_out_of_a_frozen_version(published, draft) -> None:
    mine = draft.exercises.first()
    mine.version = published
    with pytest.raises(FrozenVersionError):
        mine.save()
    with pytest.raises(FrozenVersionError):
        ExerciseTemplate.objects.filter(pk=mine.pk).update(version=published)
    frozen = published.exercises.first()
    frozen.version = draft
    with pytest.raises(FrozenVersionError):
        frozen.save()
    assert ExerciseTemplate.objects.get(pk=mine.pk).version_id == draft.pk
    assert ExerciseTemplate.objects.get(pk=frozen.pk).version_id == published.pk


def test_a_draft_is_editable_in_every_way(draft) -> None:
    Week.objects.bulk_create([Week(version=draft, number=4, title="Four")])
    draft.weeks.filter(number=4).update(title="Fourth")
    ex = draft.exercises.first()
    ex.estimated_minutes = 30
    ex.save()
    draft.weeks.filter(number=4).delete()
    assert draft.weeks.count() == 3
    draft.delete()
    assert not ProgramVersion.objects.filter(pk=draft.pk).exists()


def test_a_retired_version_stays_frozen(published) -> None:
    versions.publish(versions.new_draft_from(published))
    published.refresh_from_db()
    assert published.status == ProgramVersion.Status.RETIRED
    with pytest.raises(FrozenVersionError):
        published.weeks.update(title="Bulk")
    with pytest.raises(FrozenVersionError):
        published.delete()


def test_import_refuses_to_change_a_frozen_version(published) -> None:
    yaml_io = pytest.importorskip("programs.yaml_io")
    text = yaml_io.export_curriculum(published)
    changed = text.replace("Week 1 title", "A new week title")
    assert changed != text
    with pytest.raises(yaml_io.CurriculumError, match="frozen"):
        yaml_io.import_curriculum(changed)
    assert Week.objects.filter(version=published, number=1).get().title == "Week 1 title"


def test_one_open_enrolment_per_programme_is_a_database_rule(published, patient, clinician):
    Enrolment.objects.create(
        patient=patient, clinician=clinician, version=published, start_date=dt.date(2025, 3, 3)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(
            patient=patient, clinician=clinician, version=published,
            start_date=dt.date(2025, 4, 3), status=Enrolment.Status.PAUSED,
        )
    # A finished one does not block a new one.
    Enrolment.objects.create(
        patient=patient, clinician=clinician, version=published,
        start_date=dt.date(2024, 1, 1), status=Enrolment.Status.COMPLETED,
    )
