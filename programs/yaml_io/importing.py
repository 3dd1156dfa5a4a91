"""Importing curricula: one YAML document becomes one programme version, atomically.

The document is checked first (schema.parse_curriculum: its shape, then the publishing rules);
the version is written as a draft and, unless asked not to, published through
versions.publish, which runs the same rules again on what was stored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from .. import versions
from ..models import ExerciseTemplate, Program, ProgramVersion, Session, Week
from .exporting import version_data
from .schema import CurriculumError, parse_curriculum
from .sections import extra_sections

CURRICULA_DIR = Path(__file__).resolve().parent.parent / "curricula"


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
    core = ("version", "weeks", "sessions", "exercises")
    return {k: data.get(k) for k in (*core, *(s.name for s in extra_sections()))}


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
    for section in extra_sections():
        section.import_(version, data[section.name])
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


