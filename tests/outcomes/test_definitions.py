"""Instrument definitions: the shipped files, the loader (idempotent, strict) and frozen
published versions."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from outcomes.definitions import INSTRUMENTS_DIR, DefinitionError, import_definition
from outcomes.models import FrozenInstrumentError, Instrument, InstrumentVersion
from outcomes.scoring import CODES, RULES

pytestmark = pytest.mark.django_db

PHQ9 = (INSTRUMENTS_DIR / "phq-9-v1.yaml").read_text()


def load(out: StringIO | None = None, **options) -> str:
    out = out or StringIO()
    call_command("load_instruments", stdout=out, **options)
    return out.getvalue()


def test_every_scored_instrument_ships_with_wording_citation_and_licence(instruments):
    assert set(instruments) == set(CODES)
    for code, version in instruments.items():
        assert version.status == InstrumentVersion.Status.PUBLISHED
        assert len(version.items) == RULES[code].items
        assert version.citation and version.licence and version.recall_period


def test_free_instruments_are_enabled_with_their_published_wording(instruments):
    phq9 = instruments["PHQ-9"]
    assert phq9.enabled and not phq9.placeholder_text
    assert phq9.items[8]["text"] == (
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )
    assert [o["label"] for o in phq9.items[0]["options"]] == [
        "Not at all", "Several days", "More than half the days", "Nearly every day",
    ]
    assert phq9.extra_questions[0]["key"] == "difficulty"  # asked, not scored
    assert instruments["PEG-3"].items[0]["options"][10]["label"] == "Pain as bad as you can imagine"
    assert {c for c, v in instruments.items() if v.enabled} == {"NRS", "PEG-3", "PHQ-9", "GAD-7"}


@pytest.mark.parametrize("code", ["PCS", "RMDQ"])
def test_instruments_with_an_unclear_licence_ship_disabled_with_a_note(instruments, code):
    version = instruments[code]
    assert not version.enabled and version.placeholder_text
    assert version.licence_status == InstrumentVersion.Licence.UNCLEAR
    assert all("placeholder" in item["text"] for item in version.items)
    assert "load_instruments --dir" in version.licence_note  # how a clinic enables it
    assert Instrument.objects.get(code=code).current_version() is None


def test_loading_twice_changes_nothing():
    first = load()
    assert "6 instrument versions loaded" in first and "loaded (enabled)" in first
    ids = list(InstrumentVersion.objects.values_list("pk", "published_at"))
    second = load()
    assert second.count("unchanged") == 6
    assert list(InstrumentVersion.objects.values_list("pk", "published_at")) == ids


def test_an_admins_switch_survives_a_reload(instruments):
    InstrumentVersion.objects.filter(pk=instruments["GAD-7"].pk).update(enabled=False)
    load()
    assert not InstrumentVersion.objects.get(pk=instruments["GAD-7"].pk).enabled


def test_changed_wording_under_a_published_number_is_refused(instruments):
    with pytest.raises(DefinitionError, match="use a new version number"):
        import_definition(PHQ9.replace("Trouble relaxing", "x").replace(
            "Little interest or pleasure in doing things", "Little interest in things"))


def test_a_new_version_number_is_a_new_frozen_version(instruments):
    text = PHQ9.replace("number: 1", "number: 2").replace(
        "Little interest or pleasure in doing things", "Little interest or pleasure in things")
    v2 = import_definition(text).version
    assert v2.number == 2 and Instrument.objects.get(code="PHQ-9").current_version() == v2
    assert instruments["PHQ-9"].items[0]["text"] == "Little interest or pleasure in doing things"


def test_a_published_version_is_frozen(instruments):
    version = instruments["PHQ-9"]
    version.items[0]["text"] = "Changed"
    with pytest.raises(FrozenInstrumentError):
        version.save()
    with pytest.raises(FrozenInstrumentError):
        InstrumentVersion.objects.filter(pk=version.pk).update(citation="x")
    with pytest.raises(FrozenInstrumentError):
        version.delete()
    fresh = InstrumentVersion.objects.get(pk=version.pk)
    assert fresh.items[0]["text"] == "Little interest or pleasure in doing things"
    fresh.status = InstrumentVersion.Status.DRAFT
    with pytest.raises(FrozenInstrumentError):
        fresh.save()


def test_enabling_and_retiring_are_the_only_changes_allowed(instruments):
    version = InstrumentVersion.objects.get(pk=instruments["GAD-7"].pk)
    version.enabled = False
    version.save()
    version.status = InstrumentVersion.Status.RETIRED
    version.save()
    assert InstrumentVersion.objects.get(pk=version.pk).status == "retired"


def test_placeholder_wording_can_never_be_enabled(instruments):
    pcs = instruments["PCS"]
    pcs.enabled = True
    with pytest.raises(FrozenInstrumentError, match="placeholder wording"):
        pcs.save()
    with pytest.raises(FrozenInstrumentError):
        InstrumentVersion.objects.filter(pk=pcs.pk).update(enabled=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        # Even a write that skips the model: the database refuses it.
        QuerySet.update(InstrumentVersion.objects.filter(pk=pcs.pk), enabled=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("  - {loinc: 69734-2, text: Trouble relaxing}\n", ""), "GAD-7 has 7 items; this file has 6"),
        (("{value: 3, label: Nearly every day, code: LA6571-9}", "{value: 4, label: Nearly every day}"),
         "GAD-7 answers are 0-3, one option each; got [0, 1, 2, 4]"),
        (("code: GAD-7", "code: BDI-II"), "'BDI-II' has no scoring rule"),
        (("licence_status: free", "licence_status: unclear"),
         "a version whose licence is unclear ships placeholder wording only"),
        (("  enabled: true\n", "  enabled: true\n  enabeld: true\n"), "version.enabeld: unknown key"),
        (("  number: 1\n", "  number: 1\n  number: 2\n"), "duplicate key"),
    ],
)
def test_a_broken_definition_is_refused_with_its_problem(change, message):
    text = (INSTRUMENTS_DIR / "gad-7-v1.yaml").read_text()
    assert change[0] in text
    with pytest.raises(DefinitionError) as exc:
        import_definition(text.replace(*change))
    assert message in str(exc.value)
    assert not InstrumentVersion.objects.exists()


def test_a_clinic_enables_a_licensed_version_from_its_own_folder(instruments, tmp_path: Path):
    text = (INSTRUMENTS_DIR / "pcs-v1.yaml").read_text()
    text = text.replace("number: 1", "number: 2").replace("licence_status: unclear",
                                                          "licence_status: licensed")
    text = text.replace("placeholder_text: true", "placeholder_text: false")
    text = text.replace("enabled: false", "enabled: true")
    text = text.replace("(placeholder: the licensed wording is not shipped)", "licensed text")
    (tmp_path / "pcs-v2.yaml").write_text(text)
    assert "PCS version 2 loaded (enabled)" in load(dir=tmp_path)
    assert Instrument.objects.get(code="PCS").current_version().number == 2


def test_the_command_reports_a_missing_folder_and_broken_files(tmp_path: Path):
    with pytest.raises(CommandError, match="No such folder"):
        load(dir=tmp_path / "nope")
    (tmp_path / "bad.yaml").write_text("instrument: {code: NRS}\n")
    with pytest.raises(CommandError, match="bad.yaml: instrument.title: required"):
        load(dir=tmp_path)
