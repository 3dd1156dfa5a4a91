"""Instrument definitions as YAML: one file holds one instrument version
(see outcomes/instruments/*.yaml).

    instrument:       code (a scoring code: NRS, PEG-3, PHQ-9, GAD-7, PCS, RMDQ), title,
                      languages (those with a validated translation shipped here: [en])
    version:          number, title, language, instructions, recall_period, citation, licence,
                      licence_status (free | licensed | unclear), licence_note, placeholder_text,
                      enabled, loinc_panel, loinc_total
    options:          the response options every item shares: [{value, label, code}]
    items:            in order: [{text, loinc, options (when an item has its own)}]
    extra_questions:  asked, not scored: [{key, text, loinc, options}]

Languages: a file's text is in its `version.language`, which must be one of the instrument's
declared `languages` (codes of settings.LANGUAGES); every file of an instrument declares the same
list, and `import_directory` checks that each declared language has its file. Nobody writes
their own translation of a validated questionnaire: a patient reading the site in a language
with no shipped translation answers the original, told so (`language_note`).

`parse_definition` checks a file strictly, including that its items and answer values are those
`outcomes.scoring` scores (a definition can never disagree with its scoring rule);
`import_definition` writes and publishes one version atomically and is idempotent: the same file
again changes nothing, and a published version is never rewritten (a new number is needed).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.utils.translation import get_language, get_language_info, gettext_lazy
from django.utils.translation import gettext as _

from programs.yaml_io import StrictLoader  # refuses duplicate keys

from .models import Instrument, InstrumentVersion
from .scoring import RULES

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"
MAX_BYTES = 200_000

INSTRUMENT_KEYS = {"code": True, "title": True, "languages": True}
VERSION_KEYS = {
    "number": True, "title": False, "language": False, "instructions": False,
    "recall_period": False, "citation": True, "licence": True, "licence_status": True,
    "licence_note": False, "placeholder_text": False, "enabled": False, "loinc_panel": False,
    "loinc_total": False,
}
VERSION_DEFAULTS: dict[str, Any] = {
    "title": "", "language": "en", "instructions": "", "recall_period": "", "licence_note": "",
    "placeholder_text": False, "enabled": False, "loinc_panel": "", "loinc_total": "",
}
BOOL_KEYS = {"placeholder_text", "enabled"}
TOP_KEYS = {"instrument", "version", "options", "items", "extra_questions"}
ITEM_KEYS = {"text", "loinc", "options"}
EXTRA_KEYS = {"key", "text", "loinc", "options"}
OPTION_KEYS = {"value", "label", "code"}
# Compared when the same number is loaded again; `enabled` is the admin's switch, not content.
CONTENT_FIELDS = tuple(k for k in VERSION_KEYS if k not in ("number", "enabled"))


class DefinitionError(Exception):
    """A definition that cannot be loaded; `errors` lists every problem."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class LoadResult:
    version: InstrumentVersion
    created: bool


def _keys(value: Any, keys: set[str] | dict[str, bool], where: str, errors: list[str]) -> bool:
    if not isinstance(value, dict):
        errors.append(f"{where}: expected a mapping")
        return False
    for key in value:
        if key not in keys:
            errors.append(f"{where}.{key}: unknown key; expected one of {', '.join(keys)}")
    if isinstance(keys, dict):
        for key, required in keys.items():
            if required and key not in value:
                errors.append(f"{where}.{key}: required")
    return True


def _text(value: Any, where: str, errors: list[str], required: bool = True) -> str:
    if not isinstance(value, str) or (required and not value.strip()):
        errors.append(f"{where}: expected {'non-empty ' if required else ''}text")
        return ""
    return value.strip()


def _options(value: Any, where: str, errors: list[str]) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        errors.append(f"{where}: expected a list of options")
        return []
    out = []
    for i, option in enumerate(value):
        w = f"{where}[{i}]"
        if not _keys(option, OPTION_KEYS, w, errors):
            continue
        number = option.get("value")
        if isinstance(number, bool) or not isinstance(number, int):
            errors.append(f"{w}.value: expected a whole number")
            continue
        row = {"value": number, "label": _text(option.get("label", ""), f"{w}.label", errors, False)}
        if option.get("code"):
            row["code"] = _text(option["code"], f"{w}.code", errors)
        out.append(row)
    return out


def _check_scale(options: list[dict[str, Any]], code: str, where: str, errors: list[str]) -> None:
    rule = RULES[code]
    values = [o["value"] for o in options]
    if sorted(values) != list(range(rule.low, rule.high + 1)):
        errors.append(
            f"{where}: {code} answers are {rule.low}-{rule.high}, one option each; got {values}"
        )


def parse_definition(text: str) -> dict[str, Any]:
    """Validated, normalized data of one definition (every item with its own options)."""
    if len(text.encode()) > MAX_BYTES:
        raise DefinitionError([f"(document): larger than {MAX_BYTES // 1000} kB"])
    try:
        doc = yaml.load(text, Loader=StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise DefinitionError([f"YAML syntax error: {exc}"]) from exc
    errors: list[str] = []
    if not _keys(doc, TOP_KEYS, "(document)", errors):
        raise DefinitionError(errors)
    instrument, version = doc.get("instrument"), doc.get("version")
    if not _keys(instrument, INSTRUMENT_KEYS, "instrument", errors) or not _keys(
        version, VERSION_KEYS, "version", errors
    ):
        raise DefinitionError(errors)
    code = instrument.get("code")
    if code not in RULES:
        errors.append(f"instrument.code: {code!r} has no scoring rule ({', '.join(RULES)})")
        raise DefinitionError(errors)
    languages = _languages(instrument.get("languages"), errors)
    data_version: dict[str, Any] = {**VERSION_DEFAULTS, **version}
    number = data_version.get("number")
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        errors.append("version.number: expected a whole number from 1")
    for key in VERSION_KEYS:
        if key == "number":
            continue
        if key in BOOL_KEYS:
            if not isinstance(data_version[key], bool):
                errors.append(f"version.{key}: expected true or false")
        else:
            data_version[key] = _text(
                data_version.get(key), f"version.{key}", errors, VERSION_KEYS[key]
            )
    if languages and data_version["language"] and data_version["language"] not in languages:
        errors.append(
            f"version.language: {data_version['language']!r} is not among the languages "
            f"{code} declares ({', '.join(languages)}); only a validated translation ships, "
            "and instrument.languages declares it"
        )
    status = data_version["licence_status"]
    if status not in InstrumentVersion.Licence.values:
        errors.append(f"version.licence_status: one of {', '.join(InstrumentVersion.Licence.values)}")
    if data_version["enabled"] and data_version["placeholder_text"]:
        errors.append("version.enabled: a version with placeholder wording is never enabled")
    if status == InstrumentVersion.Licence.UNCLEAR and not data_version["placeholder_text"]:
        errors.append(
            "version.placeholder_text: a version whose licence is unclear ships placeholder "
            "wording only"
        )
    if data_version["placeholder_text"] and not data_version["licence_note"]:
        errors.append("version.licence_note: say why the wording is withheld and how to enable it")

    shared = _options(doc["options"], "options", errors) if "options" in doc else None
    items: list[dict[str, Any]] = []
    raw_items = doc.get("items")
    if not isinstance(raw_items, list):
        errors.append("items: expected a list")
        raw_items = []
    elif len(raw_items) != RULES[code].items:
        errors.append(f"items: {code} has {RULES[code].items} items; this file has {len(raw_items)}")
    for i, item in enumerate(raw_items):
        where = f"items[{i}]"
        if not _keys(item, ITEM_KEYS, where, errors):
            continue
        options = _options(item["options"], f"{where}.options", errors) if "options" in item else shared
        if options is None:
            errors.append(f"{where}.options: required when the file has no shared options")
            continue
        _check_scale(options, code, f"{where}.options", errors)
        row: dict[str, Any] = {"text": _text(item.get("text"), f"{where}.text", errors)}
        if item.get("loinc"):
            row["loinc"] = _text(item["loinc"], f"{where}.loinc", errors)
        row["options"] = options
        items.append(row)
    extras = []
    raw_extras = doc.get("extra_questions", [])
    for i, extra in enumerate(raw_extras if isinstance(raw_extras, list) else []):
        where = f"extra_questions[{i}]"
        if not _keys(extra, EXTRA_KEYS, where, errors):
            continue
        row = {
            "key": _text(extra.get("key"), f"{where}.key", errors),
            "text": _text(extra.get("text"), f"{where}.text", errors),
            "options": _options(extra.get("options"), f"{where}.options", errors),
        }
        if extra.get("loinc"):
            row["loinc"] = _text(extra["loinc"], f"{where}.loinc", errors)
        extras.append(row)
    if errors:
        raise DefinitionError(errors)
    return {
        "instrument": {
            "code": code,
            "title": _text(instrument["title"], "instrument.title", errors),
            "languages": languages,
        },
        "version": data_version,
        "items": items,
        "extra_questions": extras,
    }


def _languages(value: Any, errors: list[str]) -> list[str]:
    """instrument.languages: a non-empty list of distinct codes the site offers."""
    offered = [code for code, _name in settings.LANGUAGES]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        errors.append("instrument.languages: expected a list of language codes, e.g. [en]")
        return []
    out = []
    for code in value:
        if code not in offered:
            errors.append(
                f"instrument.languages: {code!r} is not a language of this site "
                f"({', '.join(offered)})"
            )
        elif code in out:
            errors.append(f"instrument.languages: {code!r} is listed twice")
        else:
            out.append(code)
    return out


# One whole sentence per language a questionnaire ships in, so a translator writes "solo está
# disponible en inglés" (lower case, grammar) rather than a language name pasted into a frame.
ONLY_IN = {"en": gettext_lazy("This questionnaire is only available in English.")}


def language_note(version: InstrumentVersion, language: str | None = None) -> str:
    """What to tell a reader whose language (default: the active one) this version's text is
    not in: "This questionnaire is only available in English." Empty when it is theirs."""
    wanted = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    shown = version.language.split("-")[0]
    if wanted == shown:
        return ""
    if shown in ONLY_IN:
        return str(ONLY_IN[shown])
    try:
        name = str(get_language_info(shown)["name_translated"])
    except KeyError:
        name = version.language
    return _("This questionnaire is only available in %(language)s.") % {"language": name}


def version_content(version: InstrumentVersion) -> dict[str, Any]:
    """What a stored version holds, in the shape parse_definition returns (minus switches)."""
    return {
        "fields": {k: getattr(version, k) for k in CONTENT_FIELDS},
        "items": version.items,
        "extra_questions": version.extra_questions,
    }


def _content(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "fields": {k: data["version"][k] for k in CONTENT_FIELDS},
        "items": data["items"],
        "extra_questions": data["extra_questions"],
    }


def import_definition(text_or_path: str | os.PathLike[str]) -> LoadResult:
    """Load one definition (YAML text or a path) and publish it, atomically and idempotently."""
    text = Path(text_or_path).read_text() if isinstance(text_or_path, os.PathLike) else text_or_path
    data = parse_definition(text)
    code, number = data["instrument"]["code"], data["version"]["number"]
    with transaction.atomic():
        instrument, _ = Instrument.objects.get_or_create(
            code=code, defaults={"title": data["instrument"]["title"]}
        )
        existing = instrument.versions.select_for_update().filter(number=number).first()
        if existing is not None:
            if version_content(existing) != _content(data):
                raise DefinitionError([
                    f"version.number: {code} version {number} is already loaded with different "
                    "content, and a published version never changes; use a new version number"
                ])
            return LoadResult(existing, created=False)
        version = InstrumentVersion.objects.create(
            instrument=instrument,
            status=InstrumentVersion.Status.PUBLISHED,
            items=data["items"],
            extra_questions=data["extra_questions"],
            **data["version"],
        )
    return LoadResult(version, created=True)


def import_directory(directory: Path = INSTRUMENTS_DIR) -> list[tuple[Path, LoadResult]]:
    """Load every *.yaml of `directory`, each atomically; errors name the file."""
    done: list[tuple[Path, LoadResult]] = []
    errors: list[str] = []
    paths = sorted(directory.glob("*.yaml"))
    errors.extend(_language_errors(paths))
    if errors:
        raise DefinitionError(errors)
    for path in paths:
        try:
            done.append((path, import_definition(path)))
        except DefinitionError as exc:
            errors.extend(f"{path.name}: {e}" for e in exc.errors)
    if errors:
        raise DefinitionError(errors)
    return done


def _language_errors(paths: list[Path]) -> list[str]:
    """Across the files of a folder: each instrument declares one list of languages, and each
    declared language has its file (a declaration never promises text that is not shipped)."""
    declared: dict[str, tuple[str, list[str]]] = {}
    shipped: dict[str, set[str]] = {}
    errors: list[str] = []
    for path in paths:
        try:
            data = parse_definition(path.read_text())
        except DefinitionError:
            continue  # reported with its file when it is loaded
        code, languages = data["instrument"]["code"], data["instrument"]["languages"]
        first = declared.setdefault(code, (path.name, languages))
        if set(first[1]) != set(languages):
            errors.append(
                f"{path.name}: instrument.languages: {code} declares {', '.join(languages)} "
                f"here but {', '.join(first[1])} in {first[0]}"
            )
        shipped.setdefault(code, set()).add(data["version"]["language"])
    for code, (name, languages) in declared.items():
        missing = [lang for lang in languages if lang not in shipped[code]]
        if missing:
            errors.append(
                f"{name}: instrument.languages: {code} declares {', '.join(missing)} but no "
                "file ships its text in that language"
            )
    return errors
