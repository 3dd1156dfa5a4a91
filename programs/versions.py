"""Curricula versions as plain functions: validating and publishing a version, drafting a new
version from an old one, comparing two versions. The admin and the YAML importer call these;
tests call them directly. (An enrolment's life is in enrolments.py.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from .models import (
    WEEKDAY_NAMES,
    ExerciseTemplate,
    Program,
    ProgramVersion,
    Session,
    Week,
    unix_newlines,
)
from .validation import curriculum_problems

# --- validation -----------------------------------------------------------------------------


def validation_errors(version: ProgramVersion) -> list[str]:
    """Everything that stops `version` from being published; empty when it may be. The rules
    are programs.validation's, the ones the YAML importer runs too."""
    problems = curriculum_problems(
        version.program,
        list(version.weeks.order_by("number")),
        list(version.sessions.order_by("week", "day", "order")),
        list(version.exercises.order_by("order", "pk")),
    )
    return [str(p) for p in problems]


# --- publishing and drafting ----------------------------------------------------------------


def _publish_refusals(version: ProgramVersion) -> list[str]:
    """Why `version` (as stored) cannot be published now; empty when it can."""
    if version.status != ProgramVersion.Status.DRAFT:
        return [
            f"Version {version.number} of “{version.program}” is already "
            f"{version.get_status_display().lower()}; only a draft can be published."
        ]
    published = version.program.latest_published()
    if published is not None and published.number > version.number:
        return [
            f"Version {version.number} is older than the published version "
            f"{published.number}; create a new draft from version {published.number} instead."
        ]
    return validation_errors(version)


def publish(version: ProgramVersion) -> ProgramVersion:
    """Publish a valid draft; the programme's previously published version is retired (it stays
    frozen, and patients enrolled in it keep it). Raises ValidationError listing every problem."""
    with transaction.atomic():
        # Lock the programme so two publishes of one programme cannot interleave.
        Program.objects.select_for_update().filter(pk=version.program_id).first()
        current = ProgramVersion.objects.select_related("program").get(pk=version.pk)
        errors = _publish_refusals(current)
        if errors:
            raise ValidationError(errors)
        for old in current.program.versions.filter(status=ProgramVersion.Status.PUBLISHED):
            old.status = ProgramVersion.Status.RETIRED
            old.save(update_fields=["status"])
        current.status = ProgramVersion.Status.PUBLISHED
        current.published_at = timezone.now()
        current.save()
    version.status, version.published_at = current.status, current.published_at
    return current


@dataclass(frozen=True)
class PublishPreview:
    """What publishing `version` would freeze, and what it would retire: the confirmation an
    admin reads before publishing."""

    version: ProgramVersion
    weeks: int
    sessions: int
    exercises: int
    errors: list[str]  # why it cannot be published; empty when it can
    retires: ProgramVersion | None  # the published version it replaces

    @property
    def can_publish(self) -> bool:
        return not self.errors


def publish_preview(version: ProgramVersion) -> PublishPreview:
    current = ProgramVersion.objects.select_related("program").get(pk=version.pk)
    return PublishPreview(
        version=current,
        weeks=current.weeks.count(),
        sessions=current.sessions.count(),
        exercises=current.exercises.count(),
        errors=_publish_refusals(current),
        retires=current.program.latest_published() if not current.is_frozen else None,
    )


def _copy_fields(obj: models.Model) -> dict[str, Any]:
    skip = {"id", "version"}
    values: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in skip:
            continue
        value = getattr(obj, f.attname)
        if isinstance(f, models.FileField):
            value = value.name  # share the stored file: versions never delete media
        elif isinstance(value, list | dict):
            value = type(value)(value)
        values[f.attname] = unix_newlines(value)  # bulk_create skips save()
    return values


# Apps above programs that keep data per version (outcomes' questionnaire schedule) copy it
# into a new draft here: fn(source, draft), called inside new_draft_from's transaction.
_DRAFT_COPIERS: dict[str, Callable[[ProgramVersion, ProgramVersion], None]] = {}


def register_draft_copier(name: str, copy: Callable[[ProgramVersion, ProgramVersion], None]) -> None:
    _DRAFT_COPIERS[name] = copy


def new_draft_from(version: ProgramVersion) -> ProgramVersion:
    """A deep copy of `version` (weeks, sessions, exercises with their media) as a new draft
    numbered after the programme's newest version."""
    with transaction.atomic():
        Program.objects.select_for_update().filter(pk=version.program_id).first()
        top = version.program.versions.aggregate(m=models.Max("number"))["m"] or 0
        draft = ProgramVersion.objects.create(
            program_id=version.program_id,
            number=top + 1,
            status=ProgramVersion.Status.DRAFT,
            title=version.title,
            description=version.description,
            source=version.source,
            changelog=f"Drafted from version {version.number}.",
            translations=deepcopy(version.translations),
        )
        for model in (Week, Session, ExerciseTemplate):
            rows = model.objects.filter(version=version).order_by("pk")
            model.objects.bulk_create(
                [model(version=draft, **_copy_fields(row)) for row in rows]
            )
        for copy in _DRAFT_COPIERS.values():
            copy(version, draft)
    return draft


# --- comparing ------------------------------------------------------------------------------

LIST_OF_WEEKDAYS = {"weekdays", "rest_days"}
LONG_TEXT = 60


def _show(f: models.Field, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if f.name in LIST_OF_WEEKDAYS and isinstance(value, list):
        return ", ".join(WEEKDAY_NAMES[d] if isinstance(d, int) and 0 <= d <= 6 else str(d)
                         for d in value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(f, models.FileField):
        return str(value.name if hasattr(value, "name") else value) or "(none)"
    return f"“{value}”" if isinstance(value, str) else str(value)


def _field_changes(label: str, old: models.Model, new: models.Model, skip: set[str]) -> list[str]:
    changes = []
    for f in old._meta.concrete_fields:
        if f.name in skip:
            continue
        a, b = getattr(old, f.name), getattr(new, f.name)
        if isinstance(f, models.FileField):
            a, b = a.name, b.name
        if f.name == "translations":
            changes.extend(_translation_changes(label, a, b))
            continue
        # Rows saved before line endings were normalised may still hold CRLF.
        a, b = unix_newlines(a), unix_newlines(b)
        if a == b:
            continue
        name = str(f.verbose_name)
        long_text = isinstance(f, models.TextField) and (
            len(str(a)) > LONG_TEXT or len(str(b)) > LONG_TEXT or "\n" in f"{a}{b}"
        )
        if long_text:
            changes.append(f"{label}: {name} changed")
        else:
            changes.append(f"{label}: {name} {_show(f, a)} → {_show(f, b)}")
    return changes


def _translation_changes(label: str, old: Any, new: Any) -> list[str]:
    """One line per translated field added, changed or removed: "Spanish title changed"."""
    if old == new:
        return []
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [f"{label}: translations changed"]
    names = dict(settings.LANGUAGES)
    changes = []
    for language in sorted(set(old) | set(new)):
        a, b = old.get(language), new.get(language)
        if not isinstance(a, dict) or not isinstance(b, dict):
            a, b = (a if isinstance(a, dict) else {}), (b if isinstance(b, dict) else {})
        for field in sorted(set(a) | set(b)):
            if unix_newlines(a.get(field)) == unix_newlines(b.get(field)):
                continue
            what = "added" if field not in a else "removed" if field not in b else "changed"
            changes.append(f"{label}: {names.get(language, language)} {field} {what}")
    return changes


def _diff_items(
    kind: str,
    old: Sequence[models.Model],
    new: Sequence[models.Model],
    key: str,
    label: Any,
) -> list[str]:
    before = {getattr(o, key): o for o in old}
    after = {getattr(o, key): o for o in new}
    changes: list[str] = []
    for k, item in before.items():
        if k not in after:
            changes.append(f"Removed {kind} {label(item)}")
    for k, item in after.items():
        if k not in before:
            changes.append(f"Added {kind} {label(item)}")
        else:
            changes.extend(
                _field_changes(f"{kind.capitalize()} {label(before[k])}", before[k], item,
                               {"id", "version", key})
            )
    return changes


def diff_versions(a: ProgramVersion, b: ProgramVersion) -> list[str]:
    """What changed from version `a` to version `b`, one readable line per change. Weeks are
    matched by number, sessions and exercises by slug."""
    changes = _field_changes(
        "Version",
        a,
        b,
        {"id", "program", "number", "status", "published_at", "created_at", "changelog"},
    )
    changes += _diff_items(
        "week",
        list(a.weeks.order_by("number")),
        list(b.weeks.order_by("number")),
        "number",
        lambda w: f"{w.number} “{w.title}”",
    )
    changes += _diff_items(
        "session",
        list(a.sessions.order_by("week", "day", "order")),
        list(b.sessions.order_by("week", "day", "order")),
        "slug",
        lambda s: f"“{s.title}”",
    )
    changes += _diff_items(
        "exercise",
        list(a.exercises.order_by("order", "pk")),
        list(b.exercises.order_by("order", "pk")),
        "slug",
        lambda e: f"“{e.title}”",
    )
    return changes
