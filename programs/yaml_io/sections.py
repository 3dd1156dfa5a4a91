"""Extra top-level sections of a curriculum document, contributed by apps above programs.

programs must not import the apps built on it, yet some of their data belongs to a programme
version and travels with its YAML (outcomes' questionnaire schedule). Such an app registers a
section at ready() time; schema.py checks it, importing.py writes it with the version, and
exporting.py writes it back, so export and import round-trip it like the core sections.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..models import ProgramVersion


@dataclass(frozen=True)
class Section:
    name: str
    # (raw value, or None when the document has no such section; errors to append to, each
    # starting with the section's name) -> the normalized value.
    parse: Callable[[Any, list[str]], Any]
    # Write a normalized value for a new draft version (inside the import's transaction).
    import_: Callable[[ProgramVersion, Any], None]
    # A stored version's section as YAML-ready data (what parse accepts); falsy = not written.
    export: Callable[[ProgramVersion], Any]


_SECTIONS: dict[str, Section] = {}


def register_section(
    name: str,
    parse: Callable[[Any, list[str]], Any],
    import_: Callable[[ProgramVersion, Any], None],
    export: Callable[[ProgramVersion], Any],
) -> None:
    """Add (or replace, so a repeated ready() is harmless) one top-level section."""
    from .fields import SECTIONS

    if name in SECTIONS:
        raise ValueError(f"{name!r} is a core curriculum section")
    _SECTIONS[name] = Section(name, parse, import_, export)


def extra_sections() -> list[Section]:
    return list(_SECTIONS.values())


def export_data(version: ProgramVersion) -> dict[str, Any]:
    """Every extra section of a stored version, normalized as parse_curriculum returns it."""
    out: dict[str, Any] = {}
    for section in extra_sections():
        errors: list[str] = []
        raw = section.export(version) or None
        value = section.parse(raw, errors)
        out[section.name] = raw if errors else value  # junk stored in the admin stays visible
    return out
