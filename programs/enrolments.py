"""An enrolment's life as plain functions: enrol, pause, resume, complete, withdraw. Every
change to an enrolment goes through here (views, the admin, account deletion); each is
idempotent, so a repeated request changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from recovery.models import User

from .models import Enrolment, EnrolmentPause, Program, ProgramVersion


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
        open_ = Enrolment.objects.open().filter(patient=patient, program=target)
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
        _("This enrolment is %(status)s, so it cannot be %(verb)s.") % {"status": enrolment.get_status_display().lower(), "verb": _(verb)}
    )


def pause(enrolment: Enrolment, on_date: dt.date, reason: str = "") -> Enrolment:
    """Pause from `on_date` (inclusive). Pausing a paused enrolment changes nothing (a repeated
    request is harmless); a completed or withdrawn one cannot be paused."""
    with transaction.atomic():
        e = _locked(enrolment)
        if e.status == Enrolment.Status.PAUSED:
            return _synced(enrolment)
        if e.status != Enrolment.Status.ACTIVE:
            raise _refused(e, gettext_noop("paused"))
        last = e.pauses.exclude(end=None).order_by("-end").first()
        if last is not None and last.end is not None and on_date < last.end:
            raise ValidationError(
                _("A pause cannot start on %(on_date)s: an earlier pause ran until %(end)s.") % {"on_date": date_format(on_date, "j F Y"), "end": date_format(last.end, "j F Y")}
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
            raise _refused(e, gettext_noop("resumed"))
        open_ = list(e.pauses.filter(end=None))
        for pause_ in open_:
            if on_date < pause_.start:
                raise ValidationError(
                    _("It cannot resume on %(on_date)s, before the pause began (%(start)s).") % {"on_date": date_format(on_date, "j F Y"), "start": date_format(pause_.start, "j F Y")}
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
        enrolment, on_date, Enrolment.Status.COMPLETED, Enrolment.Status.WITHDRAWN, gettext_noop("completed")
    )


def withdraw(enrolment: Enrolment, on_date: dt.date) -> Enrolment:
    """Withdraw on `on_date` (nothing is due from that day). Withdrawing twice changes nothing;
    a completed enrolment cannot be withdrawn."""
    return _finish(
        enrolment, on_date, Enrolment.Status.WITHDRAWN, Enrolment.Status.COMPLETED, gettext_noop("withdrawn")
    )


def _synced(enrolment: Enrolment) -> Enrolment:
    """The caller's instance, refreshed (and its prefetched pauses dropped)."""
    enrolment.refresh_from_db()
    return enrolment
