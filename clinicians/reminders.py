"""Clinicians' reminder kind: the weekly caseload digest, on each clinician's chosen local
weekday at REMINDER_DIGEST_HOUR in their clinic's time zone. Counts only, never a name or
a score: the dashboard, behind sign-in and MFA, has the rest."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy

from clinicians.models import CareTeamMember, FollowUpVisit
from journaling.models import CheckIn
from programs.models import Enrolment
from recovery.models import Clinic, User
from recovery.notifications.localtime import local_instant, local_ranges
from recovery.notifications.registry import Due, ReminderKind

DIGEST = "caseload_digest"
DEFAULT_WEEKDAY = 0  # NotificationPreference.digest_weekday's default: Monday


def digest_due(start: dt.datetime, end: dt.datetime) -> Iterator[Due]:
    at = dt.time(settings.REMINDER_DIGEST_HOUR)
    clinicians = User.objects.filter(role=User.Role.CLINICIAN, is_active=True)
    zones = Clinic.objects.filter(users__in=clinicians).values_list("time_zone", flat=True)
    for r in local_ranges(start, end, zones.distinct()):
        if not r.lo <= at <= r.hi:
            continue
        instant = local_instant(r.day, at, r.zone)
        if not start <= instant <= end:
            continue
        weekday = r.day.weekday()
        chosen = Q(notification_preference__digest_weekday=weekday)
        if weekday == DEFAULT_WEEKDAY:
            chosen |= Q(notification_preference__isnull=True)
        ids = list(clinicians.filter(chosen, clinic__time_zone=r.zone).values_list("id", flat=True))
        if not ids:
            continue
        # The clinician's caseload is their care teams (the access rule), patients in a programme.
        counts = {
            row["clinician_id"]: row
            for row in CareTeamMember.objects.filter(clinician_id__in=ids)
            .filter(Exists(Enrolment.objects.open().filter(patient_id=OuterRef("patient_id"))))
            .annotate(recent=Exists(CheckIn.objects.filter(
                patient_id=OuterRef("patient_id"), local_date__gte=r.day - dt.timedelta(days=7))))
            .values("clinician_id")
            .annotate(patients=Count("patient_id", distinct=True),
                      quiet=Count("patient_id", filter=Q(recent=False), distinct=True))
        }
        for clinician_id in ids:
            row = counts.get(clinician_id, {})
            yield Due(clinician_id, r.day.isoformat(), instant,
                      {"patients": row.get("patients", 0), "quiet": row.get("quiet", 0)})


VISIT_PATIENT = "visit_patient"
VISIT_CLINICIAN = "visit_clinician"
VISIT_NOTICE = dt.timedelta(hours=24)


def _visits_starting(start: dt.datetime, end: dt.datetime) -> list[tuple[int, int, int | None, dt.datetime, str, str]]:
    """Scheduled visits starting a day after the window: (id, patient, clinician, when,
    patient's zone, clinic's zone). One query."""
    return list(
        FollowUpVisit.objects.filter(
            status=FollowUpVisit.Status.SCHEDULED,
            scheduled_for__gte=start + VISIT_NOTICE,
            scheduled_for__lte=end + VISIT_NOTICE,
        ).values_list(
            "id", "patient_id", "clinician_id", "scheduled_for",
            "patient__patient_profile__time_zone", "patient__clinic__time_zone",
        )
    )


def _when(at: dt.datetime, zone: str | None) -> dict[str, str]:
    name = zone or "UTC"
    local = at.astimezone(zoneinfo.ZoneInfo(name))
    # The day as ISO: the email writes it in its reader's language (notifications.emails).
    return {"local_day": local.date().isoformat(), "local_time": local.strftime("%H:%M"),
            "time_zone": name.replace("_", " ")}


def visit_patient_due(start: dt.datetime, end: dt.datetime) -> Iterator[Due]:
    """The patient, the day before their follow-up visit, in their own time zone."""
    for visit_id, patient_id, _, at, zone, clinic_zone in _visits_starting(start, end):
        yield Due(patient_id, f"visit-{visit_id}", at - VISIT_NOTICE, _when(at, zone or clinic_zone))


def visit_clinician_due(start: dt.datetime, end: dt.datetime) -> Iterator[Due]:
    """The clinician holding the visit, the day before, in the clinic's time zone."""
    for visit_id, _, clinician_id, at, _, clinic_zone in _visits_starting(start, end):
        if clinician_id is not None:
            yield Due(clinician_id, f"visit-{visit_id}", at - VISIT_NOTICE, _when(at, clinic_zone))


def register() -> None:
    from recovery.notifications import registry

    registry.register(ReminderKind(
        name=DIGEST, label=gettext_lazy("Weekly caseload digest"), audience="clinician", due=digest_due,
        title=gettext_lazy("Your weekly caseload digest"), url="/clinic/",
    ))
    registry.register(ReminderKind(
        name=VISIT_PATIENT, label=gettext_lazy("Follow-up visits (the day before)"), audience="patient",
        due=visit_patient_due, title=gettext_lazy("Your follow-up visit is tomorrow"), url="/today/",
    ))
    registry.register(ReminderKind(
        name=VISIT_CLINICIAN, label=gettext_lazy("Follow-up visits you hold (the day before)"),
        audience="clinician", due=visit_clinician_due,
        title=gettext_lazy("A follow-up visit tomorrow"), url="/clinic/",
    ))
