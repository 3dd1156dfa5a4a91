"""Instruments and languages (issue 14, item 3): each instrument file declares the languages in
which a validated translation ships (today: English only; nobody writes their own Spanish
PHQ-9), the loader refuses text in a language not declared, and a patient reading the site
in Spanish answers the English questionnaire, told so."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from outcomes.definitions import (
    INSTRUMENTS_DIR,
    DefinitionError,
    import_directory,
    language_note,
    parse_definition,
)
from outcomes.models import Instrument
from tests.conftest import client_for

FILES = sorted(INSTRUMENTS_DIR.glob("*.yaml"))
PHQ9 = INSTRUMENTS_DIR / "phq-9-v1.yaml"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_shipped_instrument_declares_english_only(path: Path) -> None:
    data = parse_definition(path.read_text())
    assert data["instrument"]["languages"] == ["en"]
    assert data["version"]["language"] == "en"


def test_text_in_an_undeclared_language_is_refused() -> None:
    spanish = PHQ9.read_text().replace("\n  language: en\n", "\n  language: es\n")
    with pytest.raises(DefinitionError) as exc:
        parse_definition(spanish)
    assert exc.value.errors == [
        "version.language: 'es' is not among the languages PHQ-9 declares (en); only a "
        "validated translation ships, and instrument.languages declares it"
    ]


@pytest.mark.parametrize(
    ("declared", "error"),
    [
        ("[fr]", "instrument.languages: 'fr' is not a language of this site (en, es)"),
        ("[en, en]", "instrument.languages: 'en' is listed twice"),
        ("[]", "instrument.languages: expected a list of language codes, e.g. [en]"),
        ("en", "instrument.languages: expected a list of language codes, e.g. [en]"),
    ],
)
def test_the_declaration_is_checked(declared: str, error: str) -> None:
    text = PHQ9.read_text().replace("languages: [en]", f"languages: {declared}")
    with pytest.raises(DefinitionError) as exc:
        parse_definition(text)
    assert error in exc.value.errors


def test_the_declaration_is_required() -> None:
    text = PHQ9.read_text().replace("  languages: [en]\n", "")
    with pytest.raises(DefinitionError) as exc:
        parse_definition(text)
    assert "instrument.languages: required" in exc.value.errors


@pytest.mark.django_db
def test_a_declared_language_needs_its_file(tmp_path: Path) -> None:
    (tmp_path / "phq-9-v1.yaml").write_text(
        PHQ9.read_text().replace("languages: [en]", "languages: [en, es]")
    )
    with pytest.raises(DefinitionError) as exc:
        import_directory(tmp_path)
    assert exc.value.errors == [
        "phq-9-v1.yaml: instrument.languages: PHQ-9 declares es but no file ships its text in "
        "that language"
    ]
    assert not Instrument.objects.exists()  # nothing loaded from a folder that promises more


def test_the_note_names_the_questionnaires_language(instruments) -> None:
    phq9 = instruments["PHQ-9"]
    with translation.override("en"):
        assert language_note(phq9) == ""
    assert language_note(phq9, "en-GB") == ""
    with translation.override("es"):
        # The sentence in the reader's language (from the catalogue: "... en inglés").
        assert language_note(phq9) == gettext("This questionnaire is only available in English.")
    assert language_note(phq9, "es") != ""


@pytest.mark.django_db
def test_a_spanish_reader_answers_in_english_and_is_told(patient, instruments) -> None:
    url = reverse("outcomes:answer", args=["PHQ-9"])
    patient.language = "es"
    patient.save()
    page = client_for(patient).get(url).text
    with translation.override("es"):
        note = gettext("This questionnaire is only available in English.")
    assert f'<p class="message" role="note" id="language-note">{note}</p>' in page
    # The questions are the validated English wording, marked as English for screen readers.
    assert "Little interest or pleasure in doing things" in page
    assert '<fieldset lang="en"' in page and '<h1 lang="en">' in page
    patient.language = "en"
    patient.save()
    page = client_for(patient).get(url).text
    assert 'id="language-note"' not in page
