"""Curriculum translations (issue 14, item 3): an optional `translations: {es: {...}}` block
per version, week, session and exercise, checked like every other field, stored with the
version and frozen with it, compared by the version diff, exported back, and shown through
programs.i18n.localized, which falls back to the original."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from django.utils import translation

from programs import versions
from programs.i18n import localized
from programs.models import ExerciseTemplate, FrozenVersionError, Week
from programs.yaml_io import (
    CURRICULA_DIR,
    CurriculumError,
    export_curriculum,
    import_curriculum,
    parse_curriculum,
)
from tests.conftest import client_for
from tests.factories import ClinicianFactory, PatientFactory, enrol

from .builders import doc, text

SPANISH = {
    "title": "Escribir",
    "instructions": "Escriba durante 20 minutos.",
    "prompt": "A quién:\nQuerido/a ...",
}


def translated(**changes: object) -> dict[str, object]:
    """The builders' document with Spanish on the version, week 1, the intake and writing."""
    data = doc(**changes)
    data["version"]["translations"] = {"es": {"description": "Un programa pequeño."}}
    data["weeks"][0]["translations"] = {"es": {"title": "Uno", "education": "Tu dolor es real."}}
    data["sessions"][1]["translations"] = {"es": {"title": "Acogida", "agenda": "1. Hola"}}
    data["exercises"][0]["translations"] = {"es": copy.deepcopy(SPANISH)}
    return data


def errors_of(data: dict[str, object]) -> list[str]:
    with pytest.raises(CurriculumError) as exc:
        parse_curriculum(text(data))
    return exc.value.errors


# --- the format --------------------------------------------------------------------------


def test_translations_are_optional_and_normalised() -> None:
    plain = parse_curriculum(text(doc()))
    assert plain["exercises"][0]["translations"] == {}
    data = translated()
    data["exercises"][0]["translations"]["es"]["title"] = "  Escribir  "
    parsed = parse_curriculum(text(data))
    assert parsed["exercises"][0]["translations"] == {"es": SPANISH}
    assert parsed["weeks"][0]["translations"]["es"]["title"] == "Uno"
    assert parsed["version"]["translations"] == {"es": {"description": "Un programa pequeño."}}


def test_a_language_the_site_does_not_offer_is_refused() -> None:
    data = doc()
    data["exercises"][0]["translations"] = {"fr": {"title": "Écrire"}}
    assert errors_of(data) == [
        "exercises[0].translations.fr: 'fr' is not a language to translate into; expected one of es"
    ]


def test_the_original_language_is_not_a_translation() -> None:
    data = doc()
    data["weeks"][0]["translations"] = {"en": {"title": "One"}}
    [error] = errors_of(data)
    assert error.startswith("weeks[0].translations.en: 'en' is not a language to translate into")


def test_only_text_a_reader_sees_is_translated() -> None:
    data = doc()
    data["exercises"][0]["translations"] = {"es": {"slug": "escribir", "titel": "Escribir"}}
    assert errors_of(data) == [
        "exercises[0].translations.es.slug: not a translatable field; expected one of title, "
        "instructions, prompt",
        "exercises[0].translations.es.titel: not a translatable field (did you mean 'title'?); "
        "expected one of title, instructions, prompt",
    ]


def test_empty_long_and_misshapen_translations_are_refused() -> None:
    data = doc()
    data["exercises"][0]["translations"] = {"es": {"title": " "}}
    data["exercises"][1]["translations"] = {"es": {"title": "x" * 201}}
    data["sessions"][0]["translations"] = {"es": "Grupo 2"}
    data["weeks"][1]["translations"] = ["es"]
    assert errors_of(data) == [
        "weeks[1].translations: expected a mapping of language codes (es) to texts, got a list",
        "sessions[0].translations.es: expected a mapping of title, agenda, aims, got text 'Grupo 2'",
        "exercises[0].translations.es.title: must not be empty",
        "exercises[1].translations.es.title: longer than 200 characters",
    ]


# --- import, export, versions --------------------------------------------------------------


@pytest.mark.django_db
def test_import_stores_and_export_round_trips_translations() -> None:
    source = text(translated())
    version = import_curriculum(source)
    writing = version.exercises.get(slug="writing")
    assert writing.translations == {"es": SPANISH}
    assert version.translations == {"es": {"description": "Un programa pequeño."}}
    assert version.exercises.get(slug="walk").translations == {}
    exported = export_curriculum(version)
    assert "translations:\n" in exported and "Escriba durante 20 minutos." in exported
    assert parse_curriculum(exported) == parse_curriculum(source)
    # Importing the export again is the same version: nothing changes.
    assert import_curriculum(exported) == version


@pytest.mark.django_db
def test_the_shipped_home_programme_speaks_spanish_in_its_first_week() -> None:
    version = import_curriculum(CURRICULA_DIR / "home-programme.yaml")
    week = version.weeks.get(number=1)
    journal = version.exercises.get(slug="daily-journal")
    initial = version.sessions.get(slug="initial-consultation")
    with translation.override("es"):
        assert localized(week, "title") == "Paso 1: Aceptar el diagnóstico"
        assert localized(journal, "title") == "Diario"
        assert localized(initial, "title") == "Consulta inicial"
        # Week 2 is not translated: it shows the English.
        assert localized(version.weeks.get(number=2), "title") == "Step 2: Think psychologically"
    exported = export_curriculum(version)
    assert parse_curriculum(exported) == parse_curriculum(
        (CURRICULA_DIR / "home-programme.yaml").read_text()
    )


@pytest.mark.django_db
def test_translations_freeze_with_the_published_version() -> None:
    version = import_curriculum(text(translated()))
    writing = version.exercises.get(slug="writing")
    writing.translations = {"es": {"title": "Otro"}}
    with pytest.raises(FrozenVersionError):
        writing.save()
    with pytest.raises(FrozenVersionError):
        Week.objects.filter(version=version).update(translations={})
    # The same number with other translations is refused, not silently merged.
    changed = translated()
    changed["exercises"][0]["translations"]["es"]["title"] = "Otro"
    with pytest.raises(CurriculumError, match="frozen, and this file's content differs"):
        import_curriculum(text(changed))


@pytest.mark.django_db
def test_a_new_draft_copies_translations_and_the_diff_lists_them() -> None:
    version = import_curriculum(text(translated()))
    draft = versions.new_draft_from(version)
    assert draft.translations == version.translations
    writing = draft.exercises.get(slug="writing")
    assert writing.translations == {"es": SPANISH}
    writing.translations = {"es": {"title": "Escribir hoy", "instructions": SPANISH["instructions"]}}
    writing.save()
    walk = draft.exercises.get(slug="walk")
    walk.translations = {"es": {"title": "Caminar"}}
    walk.save()
    assert versions.diff_versions(version, draft) == [
        "Exercise “Write”: Español prompt removed",
        "Exercise “Write”: Español title changed",
        "Exercise “Walk”: Español title added",
    ]
    # The published version kept its own.
    assert version.exercises.get(slug="writing").translations == {"es": SPANISH}


# --- showing them -----------------------------------------------------------------------------


def test_localized_falls_back_to_the_original() -> None:
    exercise = ExerciseTemplate(
        title="Write", instructions="Write for 20 minutes.", prompt="",
        translations={"es": {"title": "Escribir", "instructions": ""}},
    )
    with translation.override("es"):
        assert localized(exercise, "title") == "Escribir"
        assert localized(exercise, "instructions") == "Write for 20 minutes."  # empty: original
        assert localized(exercise, "prompt") == ""
    with translation.override("en"):
        assert localized(exercise, "title") == "Write"
    assert localized(exercise, "title", "es-MX") == "Escribir"  # a regional variant
    # Junk typed into the admin's JSON field never breaks a page.
    for junk in (None, [], {"es": "Escribir"}, {"es": {"title": 3}}):
        exercise.translations = junk
        assert localized(exercise, "title", "es") == "Write"


@pytest.mark.django_db
def test_today_shows_the_patients_language_and_falls_back(settings) -> None:
    version = import_curriculum(CURRICULA_DIR / "home-programme.yaml")
    clinician = ClinicianFactory()
    spanish = PatientFactory(language="es")
    english = PatientFactory()
    for patient in (spanish, english):
        enrol(patient, clinician, version, start=patient.local_now().date() - dt.timedelta(days=2))
    page = client_for(spanish).get("/today/").text
    assert "Paso 1: Aceptar el diagnóstico" in page  # the week's title
    assert "<h3 id=\"exercise-" in page and ">Diario</h3>" in page
    assert "Escriba unos 20 minutos sobre lo que tiene en mente" in page
    assert "Lo que tengo en mente hoy:" in page  # the prompt
    assert "Daily journal" not in page
    page = client_for(english).get("/today/").text
    assert "Step 1: Accept the diagnosis" in page and ">Daily journal</h3>" in page
    assert "Diario" not in page


@pytest.mark.django_db
def test_an_untranslated_exercise_shows_its_english_to_a_spanish_reader() -> None:
    data = doc()
    data["exercises"][0]["translations"] = {"es": {"title": "Escribir"}}
    version = import_curriculum(text(data))
    patient = PatientFactory(language="es")
    enrol(patient, ClinicianFactory(), version, start=patient.local_now().date())
    page = client_for(patient).get("/today/").text
    assert ">Escribir</h3>" in page
    assert "Write for 20 minutes." in page  # instructions not translated: the original


def test_the_template_filter_shows_nothing_for_a_missing_object() -> None:
    from django.template import Context, Template

    template = Template('[{{ week|localized:"title" }}]')
    assert template.render(Context({})) == "[]"
    assert template.render(Context({"week": Week(title="One")})) == "[One]"


# --- the admin ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_admin_edits_a_drafts_translations_with_the_import_rules() -> None:
    import json

    from tests.factories import AdminFactory
    from tests.programs.builders import build_version
    from tests.programs.test_admin import form_data, url

    version = build_version()
    client = client_for(AdminFactory())
    page = client.get(url("change", version.pk))
    data = form_data(page)
    data["exercises-0-translations"] = json.dumps({"es": {"title": "Escritura diaria"}})
    data["weeks-0-translations"] = json.dumps({"fr": {"title": "Un"}})
    response = client.post(url("change", version.pk), data)
    assert response.status_code == 200  # the form comes back with the reason
    assert "translations.fr: &#x27;fr&#x27; is not a language to translate into" in response.text
    assert version.exercises.get().translations == {}
    data["weeks-0-translations"] = "{}"
    response = client.post(url("change", version.pk), data)
    assert response.status_code == 302
    assert version.exercises.get().translations == {"es": {"title": "Escritura diaria"}}
    data["exercises-0-translations"] = "{}"  # none again
    assert client.post(url("change", version.pk), data).status_code == 302
    assert version.exercises.get().translations == {}
