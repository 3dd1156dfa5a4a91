"""Exporting curricula: a stored version as YAML in the import format, written like the
hand-written files, that parses back to the same data."""

from __future__ import annotations

import contextlib
from typing import Any

import yaml

from ..models import ProgramVersion
from .fields import (
    EXERCISE_FIELDS,
    PROGRAM_FIELDS,
    SESSION_FIELDS,
    VERSION_FIELDS,
    WEEK_FIELDS,
    F,
)
from .schema import _Loader
from .sections import export_data, extra_sections


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
        **export_data(version),
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
    doc: dict[str, Any] = {
        "program": _compact(data["program"], PROGRAM_FIELDS),
        "version": _compact(data["version"], VERSION_FIELDS),
        "weeks": [_compact(w, WEEK_FIELDS) for w in data["weeks"]],
        "sessions": [_compact(s, SESSION_FIELDS) for s in data["sessions"]],
        "exercises": [_compact(e, EXERCISE_FIELDS) for e in data["exercises"]],
    }
    for section in extra_sections():
        value = section.export(version)
        if value:
            doc[section.name] = value
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
