"""Curricula versions as plain functions: validating and publishing a version, drafting a new
version from an old one, comparing two versions. The admin and the YAML importer call these;
tests call them directly. (An enrolment's life is in enrolments.py.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from .models import WEEKDAY_NAMES, ExerciseTemplate, Program, ProgramVersion, Session, Week

Cadence = ExerciseTemplate.Cadence

# --- validation -----------------------------------------------------------------------------


def _int_list(value: Any) -> list[int] | None:
    """The value as a list of integers, or None when it is not one (JSON fields take anything)."""
    if not isinstance(value, list):
        return None
    if any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        return None
    return value


def _exercise_errors(ex: ExerciseTemplate, n_weeks: int) -> list[str]:
    name = f"Exercise “{ex.title}”"
    errors: list[str] = []
    weeks = _int_list(ex.weeks)
    if weeks is None:
        errors.append(f"{name}: weeks must be a list of week numbers such as [1, 2].")
        weeks = []
    elif not weeks:
        errors.append(f"{name}: choose at least one week it is active in.")
    outside = sorted({w for w in weeks if not 1 <= w <= n_weeks})
    if outside:
        errors.append(
            f"{name}: week {', '.join(map(str, outside))} is not a week of this version "
            f"(1–{n_weeks})."
        )
    rest = _int_list(ex.rest_days)
    if rest is None:
        errors.append(f"{name}: rest days must be a list of weekdays (0=Monday … 6=Sunday).")
        rest = []
    elif any(not 0 <= d <= 6 for d in rest):
        errors.append(f"{name}: rest days must be weekdays 0 (Monday) to 6 (Sunday).")
    elif len(set(rest)) == 7:
        errors.append(f"{name}: every day is a rest day, so it would never be due.")
    free = 7 - len(set(rest))
    if ex.cadence == Cadence.DAILY:
        pass
    elif ex.cadence == Cadence.WEEKDAYS:
        weekdays = _int_list(ex.weekdays)
        if not weekdays:
            errors.append(f"{name}: choose at least one weekday for “On given weekdays”.")
        elif any(not 0 <= d <= 6 for d in weekdays):
            errors.append(f"{name}: weekdays must be 0 (Monday) to 6 (Sunday).")
        elif set(weekdays) <= set(rest):
            errors.append(f"{name}: all its weekdays are rest days, so it would never be due.")
    elif ex.cadence == Cadence.TIMES_PER_WEEK:
        n = ex.times_per_week
        if n is None or not 1 <= n <= free:
            errors.append(
                f"{name}: times per week must be between 1 and {free} "
                f"(7 days minus {len(set(rest))} rest days); it is {n if n is not None else 'empty'}."
            )
    elif ex.cadence == Cadence.ONCE:
        if ex.once_day is None or not 1 <= ex.once_day <= 7:
            errors.append(f"{name}: “once” needs a day of the week between 1 and 7.")
        once_week = ex.once_week or (min(weeks) if weeks else None)
        if once_week is None or once_week not in weeks:
            errors.append(
                f"{name}: its “once” week {once_week or '(none)'} must be one of its active weeks."
            )
        if rest:
            # exercise_due checks rest days first, so the one day could silently vanish.
            errors.append(f"{name}: rest days do not apply to a one-off exercise; clear them.")
    else:
        errors.append(f"{name}: unknown cadence “{ex.cadence}”.")
    return errors


def _session_errors(session: Session, n_weeks: int) -> list[str]:
    name = f"Session “{session.title}”"
    errors = []
    if not 1 <= session.week <= n_weeks:
        errors.append(f"{name}: week {session.week} is not a week of this version (1–{n_weeks}).")
    if not 1 <= session.day <= 7:
        errors.append(f"{name}: day {session.day} must be between 1 and 7.")
    if not session.duration_minutes or session.duration_minutes <= 0:
        errors.append(f"{name}: the duration must be more than 0 minutes.")
    return errors


def validation_errors(version: ProgramVersion) -> list[str]:
    """Everything that stops `version` from being published; empty when it may be."""
    weeks = list(version.weeks.order_by("number"))
    exercises = list(version.exercises.order_by("order", "pk"))
    sessions = list(version.sessions.order_by("week", "day", "order"))
    if not weeks:
        return ["Add at least one week."]
    errors: list[str] = []
    numbers = [w.number for w in weeks]
    n = len(weeks)
    if numbers != list(range(1, n + 1)):
        errors.append(
            f"Weeks must be numbered 1 to {n} without gaps; they are numbered "
            f"{', '.join(map(str, numbers))}."
        )
    active_weeks = {w for ex in exercises for w in (_int_list(ex.weeks) or [])}
    session_weeks = {s.week for s in sessions}
    for week in weeks:
        if (
            week.number not in active_weeks
            and week.number not in session_weeks
            and not week.education.strip()
        ):
            errors.append(
                f"Week {week.number} “{week.title}” is empty: add an exercise active that week, "
                "a session or education text."
            )
    for ex in exercises:
        errors.extend(_exercise_errors(ex, n))
    for session in sessions:
        errors.extend(_session_errors(session, n))
    return errors


# --- publishing and drafting ----------------------------------------------------------------


def publish(version: ProgramVersion) -> ProgramVersion:
    """Publish a valid draft; the programme's previously published version is retired (it stays
    frozen, and patients enrolled in it keep it). Raises ValidationError listing every problem."""
    with transaction.atomic():
        # Lock the programme so two publishes of one programme cannot interleave.
        Program.objects.select_for_update().filter(pk=version.program_id).first()
        current = ProgramVersion.objects.select_related("program").get(pk=version.pk)
        if current.status != ProgramVersion.Status.DRAFT:
            raise ValidationError(
                f"Version {current.number} of “{current.program}” is already "
                f"{current.get_status_display().lower()}; only a draft can be published."
            )
        published = current.program.latest_published()
        if published is not None and published.number > current.number:
            raise ValidationError(
                f"Version {current.number} is older than the published version "
                f"{published.number}; create a new draft from version {published.number} instead."
            )
        errors = validation_errors(current)
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
        values[f.attname] = value
    return values


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
        )
        for model in (Week, Session, ExerciseTemplate):
            rows = model.objects.filter(version=version).order_by("pk")
            model.objects.bulk_create(
                [model(version=draft, **_copy_fields(row)) for row in rows]
            )
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
