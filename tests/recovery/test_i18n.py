"""The interface speaks English and Spanish: every visible string is marked, the Spanish
catalogue is complete and compiles, and a Spanish-speaking patient's day is in Spanish.

The catalogue is made with the options in CATALOGUE_OPTIONS (`make messages` uses the same):
run it after adding strings, translate the new msgids, then `make compilemessages`.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.base import Lexer, TokenType
from django.test import Client
from django.urls import reverse
from django.utils import translation

from recovery.models import User
from tests.conftest import service_unavailable

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

# Mirrors the Makefile's `messages` target: code and templates only, no file positions (they
# would churn on every edit and make merges conflict).
CATALOGUE_OPTIONS = {
    "locale": ["es"],
    "no_location": True,
    "ignore_patterns": ["tests/*", "bench/*", "var/*", "node_modules/*", "docs/*", "docker/*"],
    "verbosity": 0,
}


def need_gettext() -> None:
    for tool in ("xgettext", "msgmerge", "msgfmt"):
        if shutil.which(tool) is None:
            service_unavailable(f"GNU gettext's {tool} is not installed (Debian: gettext)")


def msgids(po: polib.POFile) -> set[tuple[str, str]]:
    return {(e.msgid, e.msgid_plural) for e in po if not e.obsolete}


# --- The catalogue ----------------------------------------------------------------------------

def test_every_marked_string_is_in_the_committed_catalogue(tmp_path, settings, monkeypatch):
    need_gettext()
    # makemessages writes to the `locale` folder next to the sources it reads: run it in a
    # mirror of the project (links to every top-level entry but `locale`, which is a copy), so
    # the committed catalogue is never rewritten by the test.
    for entry in ROOT.iterdir():
        if entry.name not in ("locale", ".git", ".venv", "var", "node_modules"):
            (tmp_path / entry.name).symlink_to(entry)
    copy = tmp_path / "locale"
    shutil.copytree(ROOT / "locale", copy)
    settings.LOCALE_PATHS = [copy]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", symlinks=True, **CATALOGUE_OPTIONS)
    fresh = polib.pofile(str(copy / "es" / "LC_MESSAGES" / "django.po"))
    committed = polib.pofile(str(PO))
    new = sorted(msgid for msgid, _plural in msgids(fresh) - msgids(committed))
    assert not new, f"run `make messages` and translate these new strings: {new}"
    stale = sorted(msgid for msgid, _plural in msgids(committed) - msgids(fresh))
    assert not stale, f"the catalogue keeps strings the code no longer has: {stale}"


def test_every_spanish_string_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(PO))
    assert len(po) > 500  # the whole interface, not a sample
    untranslated = [e.msgid for e in po if not e.obsolete and not e.translated()]
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags]
    empty_plural = [e.msgid for e in po if e.msgid_plural and not all(e.msgstr_plural.values())]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy
    assert not empty_plural, empty_plural
    assert "nplurals=2; plural=(n != 1);" in po.metadata["Plural-Forms"]


def test_placeholders_survive_translation():
    # msgfmt --check-format catches most of this; named ones also must keep their names.
    named = re.compile(r"%\(\w+\)[sdif]|\{\w+\}")
    po = polib.pofile(str(PO))
    wrong = []
    for e in po:
        expected = set(named.findall(e.msgid)) | set(named.findall(e.msgid_plural or ""))
        for text in ([e.msgstr] if not e.msgid_plural else list(e.msgstr_plural.values())):
            if not set(named.findall(text)) <= expected or (
                not e.msgid_plural and set(named.findall(text)) != expected
            ):
                wrong.append((e.msgid, text))
    assert not wrong, wrong


def test_compilemessages_is_clean_and_the_committed_mo_is_current(tmp_path, settings, monkeypatch):
    need_gettext()
    copy = tmp_path / "locale"
    shutil.copytree(ROOT / "locale", copy)
    (copy / "es" / "LC_MESSAGES" / "django.mo").unlink()
    settings.LOCALE_PATHS = [copy]
    monkeypatch.chdir(tmp_path)
    call_command("compilemessages", locale=["es"], verbosity=0)  # CommandError on any problem
    compiled = {(e.msgid, e.msgstr) for e in polib.mofile(str(copy / "es" / "LC_MESSAGES" / "django.mo"))}
    committed = {(e.msgid, e.msgstr) for e in polib.mofile(str(MO))}
    assert compiled == committed, "the committed django.mo is stale: run `make compilemessages`"


# --- Templates: no visible text outside {% translate %} / {% blocktranslate %} ---------------

# Attributes a person reads or hears (a screen reader announces aria-label and title).
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "data-label", "label"}
WORD = re.compile(r"[A-Za-z]{2,}")
PROSE = re.compile(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}")
MARK = "\x00"
# Text that is not language, or not ours to translate. Keep this list short and say why.
ALLOWED: set[str] = {
    # (none today: product names such as "PHQ-9" sit inside translated sentences)
}


def visible_text(source: str, plain_text: bool = False) -> list[str]:
    """Visible text left outside translation tags: a walk over Django's tokens, then HTML."""
    out: list[str] = []
    skip_until = None
    for token in Lexer(source).tokenize():
        if skip_until:
            if token.token_type == TokenType.BLOCK and token.split_contents()[0] == skip_until:
                skip_until = None
            continue
        if token.token_type == TokenType.TEXT:
            out.append(token.contents)
        elif token.token_type == TokenType.BLOCK:
            name = token.split_contents()[0]
            if name in ("blocktranslate", "blocktrans", "comment"):
                skip_until = {"comment": "endcomment", "blocktrans": "endblocktrans"}.get(
                    name, "endblocktranslate"
                )
            out.append(f" {MARK} ")
        elif token.token_type == TokenType.VAR:
            out.append(f" {MARK} ")  # a value from the code: translated there, or data
    flat = "".join(out)
    if plain_text:
        return [line.strip() for line in flat.splitlines() if _wordy(line)]
    walker = _Walker()
    walker.feed(flat)
    walker.close()
    return walker.found


def _wordy(text: str) -> bool:
    text = re.sub(r"&#?\w+;", " ", text.replace(MARK, " ")).strip()
    return bool(WORD.search(text)) and text not in ALLOWED


class _Walker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("br", "img", "input", "meta", "link", "hr", "source"):
            self.open.append(tag)
        shown = dict(attrs)
        for name, value in attrs:
            button_text = name == "value" and tag == "input" and shown.get("type") in ("submit", "button", "reset")
            # Sentences handed to a script (data-text-soon, data-over...): a script shows them.
            script_words = name.startswith("data-") and value and PROSE.search(value.replace(MARK, " "))
            if value and (name in VISIBLE_ATTRIBUTES or button_text or script_words) and _wordy(value):
                self.found.append(f'{tag} {name}="{value.strip()}"')

    def handle_endtag(self, tag: str) -> None:
        while tag in self.open and self.open.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1] in ("script", "style"):
            return
        if _wordy(data):
            self.found.append(data.strip())


def test_the_template_walk_finds_unmarked_text():
    # The check below is only worth something if it can fail.
    assert visible_text('{% load i18n %}<p>Hello {{ name }}</p>') == ["Hello  \x00"]
    assert visible_text('<a title="Open it" href="/">{% translate "Open" %}</a>') == ['a title="Open it"']
    assert visible_text('<input type="submit" value="Save">') == ['input value="Save"']
    assert visible_text('<input type="hidden" name="a" value="keep_mine">') == []
    assert visible_text('<div data-text-soon="Signed out soon" data-url="/a/b">') == [
        'div data-text-soon="Signed out soon"']
    assert visible_text('{% blocktranslate %}Hi {{ n }}{% endblocktranslate %}<style>p{}</style>') == []
    assert visible_text("{# a note #}{% comment %}Why{% endcomment %}<p>&rarr; 3</p>") == []
    assert visible_text("Hello {{ name }},\n{% translate 'Bye' %}", plain_text=True) == ["Hello  \x00 ,"]


def test_templates_contain_no_unmarked_visible_text():
    templates = sorted(p for p in (ROOT / "templates").rglob("*") if p.suffix in (".html", ".txt"))
    assert len(templates) > 50
    unmarked = {
        str(path.relative_to(ROOT)): found
        for path in templates
        if (found := visible_text(path.read_text(), plain_text=path.suffix == ".txt"))
    }
    assert not unmarked, unmarked


# --- A Spanish-speaking patient's day -----------------------------------------------------------

ENGLISH_ON_TODAY = [
    "Today's exercises", "Daily check-in", "Save check-in", "Update check-in", "I'm having a flare",
    "What helps in a flare", "This week's progress", "Mark as done", "Skip to content", "Sign out",
    "Notifications", "Questionnaires due", "About this week", "Your next follow-up visit",
]


@pytest.fixture
def spanish_demo_patient(db, settings):
    settings.DEBUG = True  # the demo data is only made in development
    call_command("seed_demo", stdout=StringIO())
    patient = User.objects.get(email="patient@demo.test")
    if hasattr(patient, "language"):  # the per-user choice, where it exists
        patient.language = "es"
        patient.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(patient)
    return client


def spanish_get(client: Client, url: str) -> str:
    # Accept-Language (and the patient's own choice) pick Spanish through the middleware; the
    # override keeps it Spanish whatever the middleware order.
    with translation.override("es"):
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_spanish_patient_walks_through_today_check_in_journal_and_history(spanish_demo_patient):
    # One walk (the demo seed takes a while): Today, a check-in, the journal, the history.
    client = spanish_demo_patient
    today = spanish_get(client, reverse("journaling:today"))
    assert '<html lang="es">' in today
    for spanish in ("Hoy", "Ejercicios de hoy", "Registro diario", "Tengo un brote de dolor",
                    "Progreso de esta semana", "Cerrar sesión", "Diario", "Historial"):
        assert spanish in today, spanish
    left = [english for english in ENGLISH_ON_TODAY if english in today]
    assert not left, f"English left on Today in Spanish: {left}"
    assert not re.search(r"Week \d+, day \d+", today)  # the programme's label, built in Python
    assert re.search(r"Semana \d+, día \d+", today)

    with translation.override("es"):
        response = client.post(
            reverse("journaling:checkin"), {"pain": "3", "stress": "4", "mood": "6"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    checkin = response.content.decode()
    assert "Guardado. Gracias por hacer su registro diario." in checkin
    assert "Actualizar el registro diario" in checkin
    assert "Thank you for checking in" not in checkin

    journal = spanish_get(client, reverse("journaling:journal"))
    for spanish in ("Nueva entrada", "Buscar en su diario", "Tipo de entrada"):
        assert spanish in journal, spanish
    assert "Search your journal" not in journal
    assert "¿Qué le gustaría escribir?" in spanish_get(client, reverse("journaling:journal_new"))

    history = spanish_get(client, reverse("journaling:history"))
    for spanish in ("Historial", "Dolor, estrés y estado de ánimo", "Mostrar los números", "Lun"):
        assert spanish in history, spanish
    assert "Pain, stress and mood" not in history


def test_the_language_decides_the_page_and_english_stays_the_default(db):
    with translation.override("en"):
        english = Client().get(reverse("crisis")).content.decode()
    with translation.override("es"):
        spanish = Client(HTTP_ACCEPT_LANGUAGE="es").get(reverse("crisis")).content.decode()
    assert "If you are in crisis" in english and "Si está en crisis" not in english
    assert "Si está en crisis" in spanish and "If you are in crisis" not in spanish
