"""The curriculum format and its checks: every field's type and bounds, with the path of each
error in the file (list indexes count from 0). What makes the content coherent (cadences, rest
days, week numbering, group sessions) is not decided here: the checked document becomes unsaved
model instances and runs programs.validation, the rules the admin's publish runs.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from ..i18n import translation_languages
from ..models import ExerciseTemplate, Program, Session, Week
from ..validation import Problem, curriculum_problems
from .fields import (
    ITEM_FIELDS,
    PROGRAM_FIELDS,
    SECTIONS,
    VERSION_FIELDS,
    F,
    translations_field,
)
from .sections import extra_sections

MAX_BYTES = 1_000_000  # A curriculum is a few dozen kilobytes; refuse anything absurd.
SLUG_RE = re.compile(r"^[-a-z0-9_]+$")
FieldPath = tuple[str | int, ...]


class CurriculumError(Exception):
    """A curriculum that cannot be imported; `errors` lists every problem, each with its path."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


# --- Parsing and validation --------------------------------------------------------------------


def fmt(path: FieldPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(document)"


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, str):
        return f"text {value[:40]!r}"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _load_yaml(text: str) -> Any:
    if len(text.encode()) > MAX_BYTES:
        raise CurriculumError([f"(document): larger than {MAX_BYTES // 1000} kB"])
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        problem = exc.problem or exc.context or "invalid YAML"
        raise CurriculumError([f"YAML syntax error at {where}: {problem}"]) from exc
    except yaml.YAMLError as exc:
        raise CurriculumError([f"YAML syntax error: {exc}"]) from exc


def _check_value(spec: F, value: Any, path: FieldPath, errors: list[str]) -> Any:
    """The normalized value, or None after appending an error."""
    where = fmt(path)
    if value is None and spec.nullable:
        return None
    if spec.type in ("text", "slug", "url", "choice"):
        if not isinstance(value, str):
            hint = " (leave the key out for none, or write \"\")" if value is None else ""
            errors.append(f"{where}: expected text, got {_describe(value)}{hint}")
            return None
        value = value.strip()
        if spec.required and not value:
            errors.append(f"{where}: must not be empty")
            return None
        if spec.max_length and len(value) > spec.max_length:
            errors.append(f"{where}: longer than {spec.max_length} characters")
            return None
        if spec.type == "slug" and not SLUG_RE.match(value):
            errors.append(
                f"{where}: {value!r} is not a slug (lowercase letters, digits, hyphens)"
            )
            return None
        if spec.type == "choice" and value not in spec.choices:
            errors.append(f"{where}: {value!r} is not one of {', '.join(spec.choices)}")
            return None
        if spec.type == "url" and value:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except ValidationError:
                errors.append(f"{where}: {value!r} is not an http(s) address")
                return None
        return value
    if spec.type == "bool":
        if not isinstance(value, bool):
            errors.append(f"{where}: expected true or false, got {_describe(value)}")
            return None
        return value
    if spec.type == "int":
        return _check_int(spec, value, where, errors)
    if spec.type == "translations":
        return _check_translations(spec, value, path, errors)
    if spec.type == "int_list":
        if not isinstance(value, list):
            errors.append(f"{where}: expected a list of whole numbers, got {_describe(value)}")
            return None
        items = [_check_int(spec, v, fmt((*path, i)), errors) for i, v in enumerate(value)]
        if any(v is None for v in items):
            return None
        if len(set(items)) != len(items):
            errors.append(f"{where}: lists a value twice")
            return None
        if spec.required and not items:
            errors.append(f"{where}: must list at least one")
            return None
        return sorted(items)
    raise AssertionError(spec.type)


def _check_int(spec: F, value: Any, where: str, errors: list[str]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append(f"{where}: expected a whole number, got {_describe(value)}")
        return None
    if (spec.low is not None and value < spec.low) or (spec.high is not None and value > spec.high):
        errors.append(f"{where}: {value} is not between {spec.low} and {spec.high}")
        return None
    return value


TITLE_MAX = 200  # the translatable fields are long texts, but for titles (as the models say)


def _check_translations(
    spec: F, value: Any, path: FieldPath, errors: list[str]
) -> dict[str, dict[str, str]] | None:
    """{language: {field: text}}: only languages the site offers besides the original, only
    the item's translatable fields (spec.choices), each a non-empty text."""
    languages = translation_languages()
    if not isinstance(value, dict):
        errors.append(
            f"{fmt(path)}: expected a mapping of language codes ({', '.join(languages)}) to "
            f"texts, got {_describe(value)}"
        )
        return None
    before = len(errors)
    out: dict[str, dict[str, str]] = {}
    for language, texts in value.items():
        where = (*path, str(language))
        if language not in languages:
            errors.append(
                f"{fmt(where)}: {language!r} is not a language to translate into; expected one "
                f"of {', '.join(languages) or '(none configured)'}"
            )
            continue
        if not isinstance(texts, dict):
            errors.append(
                f"{fmt(where)}: expected a mapping of {', '.join(spec.choices)}, got "
                f"{_describe(texts)}"
            )
            continue
        out[language] = {}
        for name, text in texts.items():
            if name not in spec.choices:
                close = difflib.get_close_matches(str(name), spec.choices, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                errors.append(
                    f"{fmt((*where, str(name)))}: not a translatable field{hint}; expected one "
                    f"of {', '.join(spec.choices)}"
                )
                continue
            limit = TITLE_MAX if name == "title" else None
            field = F("text", required=True, max_length=limit)
            checked = _check_value(field, text, (*where, name), errors)
            if checked is not None:
                out[language][name] = checked
    return out if len(errors) == before else None


def translation_errors(value: Any, section: str) -> list[str]:
    """What is wrong with one item's translations ({} is fine), for the admin's validator."""
    errors: list[str] = []
    _check_translations(translations_field(section), value, ("translations",), errors)
    return errors


def _check_mapping(
    value: Any, fields: dict[str, F], path: FieldPath, errors: list[str]
) -> dict[str, Any] | None:
    """Validate one mapping against its fields; None when anything in it is wrong."""
    if not isinstance(value, dict):
        errors.append(f"{fmt(path)}: expected a mapping of {', '.join(fields)}, got {_describe(value)}")
        return None
    before = len(errors)
    out: dict[str, Any] = {}
    for key in value:
        if key not in fields:
            close = difflib.get_close_matches(str(key), fields, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            errors.append(
                f"{fmt((*path, str(key)))}: unknown key{hint}; expected one of {', '.join(fields)}"
            )
    for name, spec in fields.items():
        if name not in value:
            if spec.required:
                errors.append(f"{fmt((*path, name))}: required")
            default = spec.default
            out[name] = type(default)(default) if isinstance(default, list | dict) else default
            continue
        out[name] = _check_value(spec, value[name], (*path, name), errors)
    return out if len(errors) == before else None


def check_list(
    value: Any, fields: dict[str, F], path: FieldPath, errors: list[str]
) -> list[dict[str, Any] | None] | None:
    """The items (None for each invalid one), or None when the section is not a list."""
    if not isinstance(value, list):
        errors.append(f"{fmt(path)}: expected a list, got {_describe(value)}")
        return None
    return [_check_mapping(v, fields, (*path, i), errors) for i, v in enumerate(value)]


def _valid(items: list[dict[str, Any] | None] | None) -> list[tuple[int, dict[str, Any]]]:
    """(index, item) of the items that passed field checks, so later checks keep their paths."""
    return [(i, item) for i, item in enumerate(items or []) if item is not None]


def _check_unique_slugs(
    items: list[tuple[int, dict[str, Any]]], section: str, errors: list[str]
) -> None:
    first: dict[str, int] = {}
    for i, item in items:
        if item["slug"] in first:
            errors.append(
                f"{section}[{i}].slug: {item['slug']!r} is already used by "
                f"{section}[{first[item['slug']]}]"
            )
        first.setdefault(item["slug"], i)


def _path(problem: Problem, where: dict[int, str]) -> str:
    """Where in the file a problem found on an instance lies."""
    base = "program" if isinstance(problem.item, Program) else where.get(id(problem.item))
    if base is None:
        return problem.field or "(document)"
    return f"{base}.{problem.field}" if problem.field else base


def _rule_checks(data: dict[str, Any], errors: list[str]) -> None:
    """The publishing rules (programs.validation) on the items whose own fields are valid."""
    if data["weeks"] is None:
        return  # no week count to check anything against
    program = Program(**data["program"]) if data["program"] is not None else None
    weeks = [Week(**w) if w is not None else None for w in data["weeks"]]
    items = {name: _valid(data[name]) for name in ("sessions", "exercises")}
    sessions = [(i, Session(**s)) for i, s in items["sessions"]]
    exercises = [(i, ExerciseTemplate(**e)) for i, e in items["exercises"]]
    where = {id(w): f"weeks[{i}]" for i, w in enumerate(weeks)}
    where |= {id(s): f"sessions[{i}]" for i, s in sessions}
    where |= {id(e): f"exercises[{i}]" for i, e in exercises}
    # Rules about something missing (an empty week) wait until every item could be read.
    complete = all(data[s] is not None and None not in data[s] for s in ("sessions", "exercises"))
    for problem in curriculum_problems(
        program,
        weeks,
        [s for _, s in sessions],
        [e for _, e in exercises],
        complete=complete,
    ):
        errors.append(f"{_path(problem, where)}: {problem.message}")


def validate_curriculum(raw: Any) -> dict[str, Any]:
    """Validate already-loaded YAML data; return it normalized (defaults filled in)."""
    errors: list[str] = []
    extras = extra_sections()
    known = (*SECTIONS, *(s.name for s in extras))
    if not isinstance(raw, dict):
        raise CurriculumError(
            [f"(document): expected a mapping of {', '.join(known)}, got {_describe(raw)}"]
        )
    for key in raw:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            errors.append(f"{key}: unknown section{hint}; expected one of {', '.join(known)}")
    data: dict[str, Any] = {}
    for name, fields in (("program", PROGRAM_FIELDS), ("version", VERSION_FIELDS)):
        data[name] = None
        if name not in raw:
            errors.append(f"{name}: required")
        else:
            data[name] = _check_mapping(raw[name], fields, (name,), errors)
    for name, fields in ITEM_FIELDS.items():
        if name not in raw:
            if name == "weeks":
                errors.append("weeks: required")
            data[name] = [] if name != "weeks" else None
        else:
            data[name] = check_list(raw[name], fields, (name,), errors)
    _check_unique_slugs(_valid(data["sessions"]), "sessions", errors)
    _check_unique_slugs(_valid(data["exercises"]), "exercises", errors)
    _rule_checks(data, errors)
    for section in extras:
        # Registered by apps above programs (programs.yaml_io.sections).
        data[section.name] = section.parse(raw.get(section.name), errors)
    if errors:
        raise CurriculumError(errors)
    # Sessions in calendar order (stable for sessions on the same day).
    data["sessions"].sort(key=lambda s: (s["week"], s["day"]))
    return data


def parse_curriculum(text: str) -> dict[str, Any]:
    """Validated, normalized data of one curriculum document, or CurriculumError."""
    return validate_curriculum(_load_yaml(text))


