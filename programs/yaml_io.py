"""Curricula as YAML: one file holds one programme version (see programs/curricula/*.yaml).

    program:   slug, title, summary, source, is_group, requires_screening
    version:   number, title, description, source, changelog
    weeks:     [{number, title, goals, education}]
    sessions:  [{slug, kind, title, week, day, duration_minutes, agenda, aims, placeholder}]
    exercises: [{slug, kind, title, instructions, prompt, media_url, estimated_minutes, weeks,
                 cadence, weekdays, times_per_week, once_week, once_day, rest_days, placeholder}]

Field names mirror programs/models.py. `parse_curriculum` validates strictly and reports every
error with the path of the field (list indexes count from 0), `import_curriculum` writes one
version atomically, `export_curriculum` writes YAML that parses back to the same data.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import DatabaseError, transaction

from . import versions
from .models import ExerciseTemplate, Program, ProgramVersion, Session, Week

CURRICULA_DIR = Path(__file__).resolve().parent / "curricula"
MAX_BYTES = 1_000_000  # A curriculum is a few dozen kilobytes; refuse anything absurd.
SECTIONS = ("program", "version", "weeks", "sessions", "exercises")
SLUG_RE = re.compile(r"^[-a-z0-9_]+$")
FieldPath = tuple[str | int, ...]


class CurriculumError(Exception):
    """A curriculum that cannot be imported; `errors` lists every problem, each with its path."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


# --- Schema -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class F:
    """One field: its type, whether it is required, its default and its bounds."""

    type: str  # text | slug | url | int | bool | choice | int_list
    required: bool = False
    default: Any = None
    max_length: int | None = None
    low: int | None = None
    high: int | None = None
    choices: tuple[str, ...] = ()
    nullable: bool = False


def _text(required: bool = False, max_length: int | None = None) -> F:
    return F("text", required=required, default="", max_length=max_length)


PROGRAM_FIELDS = {
    "slug": F("slug", required=True, max_length=50),
    "title": _text(True, 200),
    "summary": _text(),
    "source": _text(),
    "is_group": F("bool", default=False),
    "requires_screening": F("bool", default=False),
}
VERSION_FIELDS = {
    "number": F("int", required=True, low=1, high=10_000),
    "title": _text(max_length=200),
    "description": _text(),
    "source": _text(),
    "changelog": _text(),
}
WEEK_FIELDS = {
    "number": F("int", required=True, low=1, high=104),
    "title": _text(True, 200),
    "goals": _text(),
    "education": _text(),
}
SESSION_FIELDS = {
    "slug": F("slug", required=True, max_length=80),
    "kind": F("choice", required=True, choices=tuple(Session.Kind.values)),
    "title": _text(True, 200),
    "week": F("int", required=True, low=1, high=104),
    "day": F("int", required=True, low=1, high=7),
    "duration_minutes": F("int", required=True, low=1, high=24 * 60),
    "aims": _text(),
    "agenda": _text(),
    "placeholder": F("bool", default=False),
}
EXERCISE_FIELDS = {
    "slug": F("slug", required=True, max_length=80),
    "kind": F("choice", required=True, choices=tuple(ExerciseTemplate.Kind.values)),
    "title": _text(True, 200),
    "instructions": _text(True),
    "prompt": _text(),
    "media_url": F("url", default="", max_length=200),
    "estimated_minutes": F("int", default=10, low=1, high=24 * 60),
    "weeks": F("int_list", required=True, low=1, high=104),
    "cadence": F(
        "choice", default=ExerciseTemplate.Cadence.DAILY.value,
        choices=tuple(ExerciseTemplate.Cadence.values),
    ),
    "weekdays": F("int_list", default=[], low=0, high=6),
    "times_per_week": F("int", nullable=True, low=1, high=7),
    "once_week": F("int", nullable=True, low=1, high=104),
    "once_day": F("int", nullable=True, low=1, high=7),
    "rest_days": F("int_list", default=[], low=0, high=6),
    "placeholder": F("bool", default=False),
}
ITEM_FIELDS = {"weeks": WEEK_FIELDS, "sessions": SESSION_FIELDS, "exercises": EXERCISE_FIELDS}


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
            out[name] = list(spec.default) if isinstance(spec.default, list) else spec.default
            continue
        out[name] = _check_value(spec, value[name], (*path, name), errors)
    return out if len(errors) == before else None


def _check_list(
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


def _check_exercise(ex: dict[str, Any], i: int, n_weeks: int | None, errors: list[str]) -> None:
    """Cadence coherence: what plan_for needs to put the exercise on real days."""
    p = f"exercises[{i}]"
    for w in ex["weeks"]:
        if n_weeks is not None and w > n_weeks:
            errors.append(f"{p}.weeks: week {w} is not a week of this version (1-{n_weeks})")
    cadence, rest = ex["cadence"], ex["rest_days"]
    if len(rest) == 7:
        errors.append(f"{p}.rest_days: every day is a rest day, so it is never due")
    needs = {
        "weekdays": ("weekdays",),
        "times_per_week": ("times_per_week",),
        "once": ("once_week", "once_day"),
    }.get(cadence, ())
    for name in ("times_per_week", "once_week", "once_day"):
        if name in needs and ex[name] is None:
            errors.append(f"{p}.{name}: required when cadence is {cadence}")
        elif name not in needs and ex[name] is not None:
            owner = "times_per_week" if name == "times_per_week" else "once"
            errors.append(f"{p}.{name}: only used when cadence is {owner}; remove it")
    if cadence == "weekdays":
        if not ex["weekdays"]:
            errors.append(f"{p}.weekdays: list at least one weekday (0=Monday ... 6=Sunday)")
        clash = sorted(set(ex["weekdays"]) & set(rest))
        if clash:
            errors.append(f"{p}.rest_days: {clash} are also in weekdays, so never due there")
    elif ex["weekdays"]:
        errors.append(f"{p}.weekdays: only used when cadence is weekdays; remove it")
    if cadence == "times_per_week" and ex["times_per_week"] is not None:
        free = 7 - len(rest)
        if ex["times_per_week"] > free:
            errors.append(
                f"{p}.times_per_week: {ex['times_per_week']} is more than the {free} days "
                "left after rest_days"
            )
    if cadence == "once":
        if ex["once_week"] is not None and ex["once_week"] not in ex["weeks"]:
            errors.append(f"{p}.once_week: week {ex['once_week']} is not in weeks {ex['weeks']}")
        if rest:
            # exercise_due checks rest days first, so a "once" day could silently vanish.
            errors.append(f"{p}.rest_days: not used with cadence once; remove it")


def _cross_checks(data: dict[str, Any], errors: list[str]) -> None:
    """Checks across fields and sections, run on every item whose own fields are valid."""
    program = data["program"]
    weeks, sessions, exercises = (_valid(data[s]) for s in ("weeks", "sessions", "exercises"))
    # The week count is known when the weeks section is a list, even if one week is broken.
    n: int | None = len(data["weeks"]) if data["weeks"] is not None else None
    if program is not None:
        if program["requires_screening"] and not program["is_group"]:
            errors.append(
                "program.requires_screening: screening is for joining a group; "
                "set is_group: true or remove it"
            )
        for i, s in sessions:
            if s["kind"] in ("group", "retreat") and not program["is_group"]:
                errors.append(f"sessions[{i}].kind: {s['kind']!r} needs program.is_group: true")
        if (
            program["is_group"]
            and data["sessions"] is not None
            and len(sessions) == len(data["sessions"])
            and not any(s["kind"] in ("group", "retreat") for _, s in sessions)
        ):
            errors.append("program.is_group: a group programme needs at least one group session")
    if n == 0:
        errors.append("weeks: list at least one week")
    for i, week in weeks:
        if week["number"] != i + 1:
            errors.append(
                f"weeks[{i}].number: expected {i + 1} (weeks are numbered 1, 2, 3... in order)"
            )
    _check_unique_slugs(sessions, "sessions", errors)
    _check_unique_slugs(exercises, "exercises", errors)
    for i, s in sessions:
        if n is not None and s["week"] > n:
            errors.append(f"sessions[{i}].week: {s['week']} is not a week of this version (1-{n})")
    for i, ex in exercises:
        _check_exercise(ex, i, n, errors)
    complete = all(data[s] is not None and None not in data[s] for s in ("sessions", "exercises"))
    if complete:
        busy = {s["week"] for _, s in sessions} | {w for _, ex in exercises for w in ex["weeks"]}
        for i, week in weeks:
            if week["number"] == i + 1 and week["number"] not in busy:
                errors.append(f"weeks[{i}]: week {week['number']} has no session and no exercise")


def validate_curriculum(raw: Any) -> dict[str, Any]:
    """Validate already-loaded YAML data; return it normalized (defaults filled in)."""
    errors: list[str] = []
    if not isinstance(raw, dict):
        raise CurriculumError(
            [f"(document): expected a mapping of {', '.join(SECTIONS)}, got {_describe(raw)}"]
        )
    for key in raw:
        if key not in SECTIONS:
            close = difflib.get_close_matches(str(key), SECTIONS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            errors.append(f"{key}: unknown section{hint}; expected one of {', '.join(SECTIONS)}")
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
            data[name] = _check_list(raw[name], fields, (name,), errors)
    _cross_checks(data, errors)
    if errors:
        raise CurriculumError(errors)
    # Sessions in calendar order (stable for sessions on the same day).
    data["sessions"].sort(key=lambda s: (s["week"], s["day"]))
    return data


def parse_curriculum(text: str) -> dict[str, Any]:
    """Validated, normalized data of one curriculum document, or CurriculumError."""
    return validate_curriculum(_load_yaml(text))


# --- Import --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    version: ProgramVersion
    created: bool  # False: the identical version was already there
    published: bool  # True when this call published it


def _read(text_or_path: str | os.PathLike[str]) -> str:
    if isinstance(text_or_path, os.PathLike) or (
        "\n" not in text_or_path
        and (text_or_path.endswith((".yaml", ".yml")) or os.path.isfile(text_or_path))
    ):
        try:
            return Path(text_or_path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CurriculumError([f"(file): cannot read {text_or_path}: {exc}"]) from exc
    return text_or_path


def _publish(version: ProgramVersion) -> None:
    """Publish through versions.publish: it validates the version and retires the old one."""
    try:
        versions.publish(version)
    except ValidationError as exc:
        raise CurriculumError([f"version: cannot publish: {m}" for m in exc.messages]) from exc
    version.refresh_from_db()


def _program_values(program: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in program.items() if k != "slug"}


def _content(data: dict[str, Any]) -> dict[str, Any]:
    """What identifies a version's content (programme metadata is not versioned)."""
    return {k: data[k] for k in ("version", "weeks", "sessions", "exercises")}


def import_result(
    text_or_path: str | os.PathLike[str], *, publish: bool = True
) -> ImportResult:
    """Import one curriculum; see import_curriculum."""
    data = parse_curriculum(_read(text_or_path))
    slug, number = data["program"]["slug"], data["version"]["number"]
    try:
        with transaction.atomic():
            program = Program.objects.select_for_update().filter(slug=slug).first()
            if program is None:
                program = Program.objects.create(slug=slug, **_program_values(data["program"]))
            existing = program.versions.filter(number=number).first()
            if existing is not None:
                return _reimport(existing, data, publish)
            newest = program.versions.order_by("-number").values_list("number", flat=True).first()
            if newest is not None and number > newest:
                # The newest version describes the programme (title, summary, screening...).
                for key, value in _program_values(data["program"]).items():
                    setattr(program, key, value)
                program.save()
            version = _create_version(program, data)
            if publish:
                _publish(version)
            return ImportResult(version, created=True, published=publish)
    except DatabaseError as exc:
        raise CurriculumError([f"(database): nothing was imported: {exc}"]) from exc


def _reimport(existing: ProgramVersion, data: dict[str, Any], publish: bool) -> ImportResult:
    if _content(version_data(existing)) != _content(data):
        slug, number = existing.program.slug, existing.number
        if existing.is_frozen:
            raise CurriculumError([
                f"version.number: version {number} of {slug!r} is {existing.status} and frozen, "
                "and this file's content differs; create a new version number"
            ])
        raise CurriculumError([
            f"version.number: a draft version {number} of {slug!r} already exists with different "
            "content; delete that draft or create a new version number"
        ])
    if publish and existing.status == ProgramVersion.Status.DRAFT:
        _publish(existing)
        return ImportResult(existing, created=False, published=True)
    return ImportResult(existing, created=False, published=False)


def _create_version(program: Program, data: dict[str, Any]) -> ProgramVersion:
    version = ProgramVersion.objects.create(
        program=program, status=ProgramVersion.Status.DRAFT, **data["version"]
    )
    for week in data["weeks"]:
        Week.objects.create(version=version, **week)
    for order, session in enumerate(data["sessions"]):
        Session.objects.create(version=version, order=order, **session)
    for order, exercise in enumerate(data["exercises"]):
        ExerciseTemplate.objects.create(version=version, order=order, **exercise)
    return version


def import_curriculum(
    text_or_path: str | os.PathLike[str], *, publish: bool = True
) -> ProgramVersion:
    """Import one curriculum (YAML text, or a path to a .yaml file) atomically.

    Creates the Program if new and the version as a draft with its weeks, sessions and
    exercises, then publishes it unless publish=False. Importing identical content again
    returns the existing version; differing content under an existing number is refused.
    """
    return import_result(text_or_path, publish=publish).version


def import_directory(directory: Path = CURRICULA_DIR) -> list[tuple[Path, ImportResult]]:
    """Import every *.yaml in `directory` (published), each atomically; errors name the file."""
    done: list[tuple[Path, ImportResult]] = []
    errors: list[str] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            done.append((path, import_result(path)))
        except CurriculumError as exc:
            errors.extend(f"{path.name}: {e}" for e in exc.errors)
    if errors:
        raise CurriculumError(errors)
    return done


# --- Export --------------------------------------------------------------------------------------


def _row(obj: Any, fields: dict[str, F]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def version_data(version: ProgramVersion) -> dict[str, Any]:
    """A stored version as normalized data: what parse_curriculum returns for its YAML."""
    program = version.program
    exercises = []
    for ex in version.exercises.order_by("order", "pk"):
        row = _row(ex, EXERCISE_FIELDS)
        for name in ("weeks", "weekdays", "rest_days"):
            # Junk typed into the admin's JSON field is exported as it is.
            with contextlib.suppress(TypeError):
                row[name] = sorted(row[name] or [])
        exercises.append(row)
    return {
        "program": _row(program, PROGRAM_FIELDS),
        "version": _row(version, VERSION_FIELDS),
        "weeks": [_row(w, WEEK_FIELDS) for w in version.weeks.order_by("number")],
        "sessions": [
            _row(s, SESSION_FIELDS) for s in version.sessions.order_by("week", "day", "order", "pk")
        ],
        "exercises": exercises,
    }


# Always written, even at their default, because a reader wants to see them.
ALWAYS = {"cadence", "weeks", "estimated_minutes", "number", "week", "day", "duration_minutes"}


def _compact(row: dict[str, Any], fields: dict[str, F]) -> dict[str, Any]:
    return {
        k: v
        for k, v in row.items()
        if fields[k].required or k in ALWAYS or v != fields[k].default
    }


class _Dumper(yaml.SafeDumper):
    """Writes like the hand-written files: indented list items and [1, 2] number lists."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)  # type: ignore[no-any-return]


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    lines = value.split("\n")
    style = "|" if len(lines) > 1 else None
    if getattr(dumper, "fold", False) and max(len(line) for line in lines) > 120:
        # Prose reads best folded (">"), wrapped at the width, like the hand-written files;
        # short lines (agendas, prompts) stay a literal block, one line each.
        style = ">"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list_representer(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    flat = all(isinstance(v, int) for v in value)  # week and weekday numbers
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flat)


_Dumper.add_representer(list, _list_representer)


class _BlockDumper(_Dumper):
    fold = False


class _FoldingDumper(_Dumper):
    fold = True


_BlockDumper.add_representer(str, _str_representer)
_FoldingDumper.add_representer(str, _str_representer)


def _dump(block: Any) -> str:
    attempts = ((_FoldingDumper, True), (_BlockDumper, True), (_Dumper, True), (_Dumper, False))
    for dumper, unicode in attempts:
        out = yaml.dump(
            block, Dumper=dumper, sort_keys=False, allow_unicode=unicode, width=96, indent=2
        )
        # Folded and literal blocks read best but are subtle (leading spaces, unusual line
        # breaks such as U+0085); keep a style only when it reads back exactly. The last
        # attempt, PyYAML's own choice with non-ASCII escaped, is always exact.
        if yaml.load(out, Loader=_Loader) == block:  # noqa: S506 - _Loader is a SafeLoader
            return out
    return out


def export_curriculum(version: ProgramVersion) -> str:
    """YAML for one version, in the import format (program, version, weeks, sessions, exercises)."""
    data = version_data(version)
    doc = {
        "program": _compact(data["program"], PROGRAM_FIELDS),
        "version": _compact(data["version"], VERSION_FIELDS),
        "weeks": [_compact(w, WEEK_FIELDS) for w in data["weeks"]],
        "sessions": [_compact(s, SESSION_FIELDS) for s in data["sessions"]],
        "exercises": [_compact(e, EXERCISE_FIELDS) for e in data["exercises"]],
    }
    header = [
        f"# {version.display_title}: version {version.number} ({version.get_status_display()}).",
        "# Exported from the programme database. To change it, edit a copy with a new",
        "# version.number and import it (manage.py import_curriculum FILE).",
    ]
    if version.exercises.exclude(media_file="").exists():
        header.append("# Uploaded media files are not part of this export; add them again.")
    # One top-level block at a time, with a blank line between, so the file reads like the
    # hand-written ones.
    body = "\n".join(_dump({key: value}) for key, value in doc.items())
    return "\n".join(header) + "\n\n" + body
