"""Curricula rules as plain functions: validating and publishing versions, drafting a new
version from an old one, comparing versions, and an enrolment's life (enrol, pause, resume,
complete, withdraw). Views, the admin and the YAML importer call these; tests call them directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from recovery.models import User

from .models import (
    WEEKDAY_NAMES,
    Enrolment,
    EnrolmentPause,
    ExerciseTemplate,
    Program,
    ProgramVersion,
    Session,
    Week,
)

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


# --- enrolments -----------------------------------------------------------------------------


def _open_enrolment_message(patient: User, program: Program) -> str:
    return (
        f"{patient} is already enrolled in “{program}”; complete or withdraw that enrolment "
        "before enrolling them again."
    )


def enrolment_problems(
    patient: User,
    clinician: User,
    version: ProgramVersion | None,
    *,
    program: Program | None = None,
    exclude: Enrolment | None = None,
) -> list[str]:
    """Why `patient` may not be enrolled in `version` under `clinician` (empty when they may).
    Shared by enrol() and the admin's enrolment form."""
    problems: list[str] = []
    if version is None:
        if program is None:
            problems.append("Choose a programme.")
        else:
            problems.append(
                f"“{program}” has no published version yet; publish one before enrolling patients."
            )
    else:
        if program is not None and version.program_id != program.pk:
            problems.append(f"{version} is not a version of “{program}”.")
        if version.status != ProgramVersion.Status.PUBLISHED:
            problems.append(
                f"Version {version.number} of “{version.program}” is "
                f"{version.get_status_display().lower()}; patients can only be enrolled in the "
                "published version."
            )
    if patient.role != User.Role.PATIENT:
        problems.append(f"{patient} is not a patient account.")
    if clinician.role != User.Role.CLINICIAN:
        problems.append(f"{clinician} is not a clinician account.")
    if patient.clinic_id != clinician.clinic_id:
        problems.append(
            f"{patient} and {clinician} belong to different clinics; the responsible clinician "
            "must work at the patient's clinic."
        )
    target = version.program if version is not None else program
    if target is not None:
        open_ = Enrolment.objects.filter(
            patient=patient, program=target, status__in=[Enrolment.Status.ACTIVE,
                                                         Enrolment.Status.PAUSED]
        )
        if exclude is not None and exclude.pk:
            open_ = open_.exclude(pk=exclude.pk)
        if open_.exists():
            problems.append(_open_enrolment_message(patient, target))
    return problems


def enrol(
    patient: User,
    clinician: User,
    start_date: dt.date,
    *,
    program: Program | None = None,
    version: ProgramVersion | None = None,
) -> Enrolment:
    """Enrol `patient` from `start_date` (their local day 1) in the programme's newest published
    version, or in `version` when given (it must be the published one)."""
    if version is None and program is not None:
        version = program.latest_published()
    problems = enrolment_problems(patient, clinician, version, program=program)
    if problems:
        raise ValidationError(problems)
    assert version is not None
    try:
        # A savepoint: a lost race on the unique constraint must not break the caller's transaction.
        with transaction.atomic():
            return Enrolment.objects.create(
                patient=patient,
                clinician=clinician,
                version=version,
                program_id=version.program_id,
                start_date=start_date,
                status=Enrolment.Status.ACTIVE,
                status_changed_on=start_date,
            )
    except IntegrityError as exc:
        raise ValidationError(_open_enrolment_message(patient, version.program)) from exc


def _locked(enrolment: Enrolment) -> Enrolment:
    return Enrolment.objects.select_for_update().get(pk=enrolment.pk)


def _close_open_pauses(pauses: Iterable[EnrolmentPause], on_date: dt.date) -> None:
    for pause in pauses:
        if pause.end is None:
            pause.end = max(on_date, pause.start)
            pause.save(update_fields=["end"])


def _refused(enrolment: Enrolment, verb: str) -> ValidationError:
    return ValidationError(
        f"This enrolment is {enrolment.get_status_display().lower()}, so it cannot be {verb}."
    )


def pause(enrolment: Enrolment, on_date: dt.date, reason: str = "") -> Enrolment:
    """Pause from `on_date` (inclusive). Pausing a paused enrolment changes nothing (a repeated
    request is harmless); a completed or withdrawn one cannot be paused."""
    with transaction.atomic():
        e = _locked(enrolment)
        if e.status == Enrolment.Status.PAUSED:
            return _synced(enrolment)
        if e.status != Enrolment.Status.ACTIVE:
            raise _refused(e, "paused")
        last = e.pauses.exclude(end=None).order_by("-end").first()
        if last is not None and last.end is not None and on_date < last.end:
            raise ValidationError(
                f"A pause cannot start on {on_date:%-d %B %Y}: an earlier pause ran until "
                f"{last.end:%-d %B %Y}."
            )
        EnrolmentPause.objects.create(enrolment=e, start=on_date, reason=reason[:200])
        e.status, e.status_changed_on = Enrolment.Status.PAUSED, on_date
        e.save(update_fields=["status", "status_changed_on"])
    return _synced(enrolment)


def resume(enrolment: Enrolment, on_date: dt.date) -> Enrolment:
    """Resume on `on_date`: the programme continues where it stopped, shifted by the paused
    days. Resuming an active enrolment changes nothing."""
    with transaction.atomic():
        e = _locked(enrolment)
        if e.status == Enrolment.Status.ACTIVE:
            return _synced(enrolment)
        if e.status != Enrolment.Status.PAUSED:
            raise _refused(e, "resumed")
        open_ = list(e.pauses.filter(end=None))
        for pause_ in open_:
            if on_date < pause_.start:
                raise ValidationError(
                    f"It cannot resume on {on_date:%-d %B %Y}, before the pause began "
                    f"({pause_.start:%-d %B %Y})."
                )
        _close_open_pauses(open_, on_date)
        e.status, e.status_changed_on = Enrolment.Status.ACTIVE, on_date
        e.save(update_fields=["status", "status_changed_on"])
    return _synced(enrolment)


def _finish(enrolment: Enrolment, on_date: dt.date, status: str, other: str, verb: str) -> Enrolment:
    with transaction.atomic():
        e = _locked(enrolment)
        if e.status == status:
            return _synced(enrolment)
        if e.status == other:
            raise _refused(e, verb)
        _close_open_pauses(e.pauses.filter(end=None), on_date)
        e.status, e.status_changed_on = status, on_date
        if status == Enrolment.Status.COMPLETED:
            e.completed_on = on_date
        else:
            e.withdrawn_on = on_date
        e.save(update_fields=["status", "status_changed_on", "completed_on", "withdrawn_on"])
    return _synced(enrolment)


def complete(enrolment: Enrolment, on_date: dt.date) -> Enrolment:
    """Mark the programme completed on `on_date` (nothing is due from that day). Completing a
    completed enrolment changes nothing; a withdrawn one cannot be completed."""
    return _finish(
        enrolment, on_date, Enrolment.Status.COMPLETED, Enrolment.Status.WITHDRAWN, "completed"
    )


def withdraw(enrolment: Enrolment, on_date: dt.date) -> Enrolment:
    """Withdraw on `on_date` (nothing is due from that day). Withdrawing twice changes nothing;
    a completed enrolment cannot be withdrawn."""
    return _finish(
        enrolment, on_date, Enrolment.Status.WITHDRAWN, Enrolment.Status.COMPLETED, "withdrawn"
    )


def _synced(enrolment: Enrolment) -> Enrolment:
    """The caller's instance, refreshed (and its prefetched pauses dropped)."""
    enrolment.refresh_from_db()
    return enrolment
