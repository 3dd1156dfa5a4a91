"""Everything a patient has here, as JSON and as a readable PDF (their right of access).

Both read the same dictionary. The text of a "write and release" entry was never saved, so
the export says such an entry exists and nothing more.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from journaling import charts, progress
from journaling.models import CheckIn, ExerciseCompletion, JournalEntry, StressorItem
from programs.models import Attendance, Enrolment, Screening
from recovery import export_jobs, exports
from recovery.models import ExportJob, User

SCHEMA = "recovery.patient-export"
SCHEMA_VERSION = 1
PDF_CHART_DAYS = 90


def _enrolment(e: Enrolment) -> dict[str, Any]:
    return {
        "programme": e.program.title,
        "programme_slug": e.program.slug,
        "version": e.version.number,
        "version_title": e.version.display_title,
        "responsible_clinician": e.clinician.display_name,
        "start_date": e.start_date,
        "status": e.status,
        "completed_on": e.completed_on,
        "withdrawn_on": e.withdrawn_on,
        "pauses": [
            {"start": p.start, "end": p.end, "reason": p.reason} for p in e.pauses.all()
        ],
    }


def _entry(e: JournalEntry) -> dict[str, Any]:
    released = e.visibility == JournalEntry.Visibility.RELEASED
    return {
        "local_date": e.local_date,
        "kind": e.kind,
        "kind_label": e.get_kind_display(),
        "visibility": e.visibility,
        "status": e.status,
        "title": e.title,
        # Released entries keep no words by construction; say so rather than leave a blank.
        "recipient": None if released else e.recipient,
        "body": None if released else e.body,
        "fields": None if released else e.data,
        "text_saved": not released,
        "minutes": e.minutes,
        "exercise": e.exercise.title if e.exercise else None,
        "created_at": e.created_at,
        "updated_at": e.updated_at,
        "shared_at": e.shared_at,
    }


def build_export(patient: User, now: dt.datetime) -> dict[str, Any]:
    """The patient's data as plain values (dates stay date objects until serialised)."""
    profile = patient.patient_profile
    enrolments = (
        Enrolment.objects.filter(patient=patient)
        .select_related("program", "version", "clinician__clinician_profile")
        .prefetch_related("pauses")
        .order_by("start_date", "pk")
    )
    completions = (
        ExerciseCompletion.objects.filter(patient=patient)
        .select_related("exercise", "enrolment__program")
        .order_by("local_date", "completed_at")
    )
    entries = (
        JournalEntry.objects.filter(patient=patient)
        .select_related("exercise")
        .order_by("local_date", "created_at")
    )
    screenings = (
        Screening.objects.filter(patient=patient)
        .select_related("program", "decided_by__clinician_profile")
        .order_by("decided_on", "pk")
    )
    attendance = (
        Attendance.objects.filter(patient=patient)
        .select_related("occurrence__session", "occurrence__cohort")
        .order_by("occurrence__starts_at")
    )
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "generated_at": now,
        "profile": {
            "email": patient.email,
            "name": profile.display_name,
            "clinic": patient.clinic.name,
            "time_zone": profile.time_zone,
            "reminder_time": profile.reminder_time,
            "joined": patient.date_joined,
            "deletion_requested_at": profile.deletion_requested_at,
        },
        "enrolments": [_enrolment(e) for e in enrolments],
        "check_ins": [
            {
                "local_date": c.local_date,
                "pain": c.pain,
                "stress": c.stress,
                "mood": c.mood,
                "note": c.note,
                "created_at": c.created_at,
            }
            for c in CheckIn.objects.filter(patient=patient).order_by("local_date")
        ],
        "exercise_completions": [
            {
                "local_date": c.local_date,
                "exercise": c.exercise.title,
                "exercise_kind": c.exercise.kind,
                "programme": c.enrolment.program.title,
                "minutes": c.minutes,
                "note": c.note,
                "completed_at": c.completed_at,
            }
            for c in completions
        ],
        "journal_entries": [_entry(e) for e in entries],
        "stressor_inventory": [
            {
                "category": s.category,
                "category_label": s.get_category_display(),
                "text": s.text,
                "local_date": s.local_date,
            }
            for s in StressorItem.objects.filter(patient=patient).order_by("local_date", "pk")
        ],
        "screenings": [
            {
                "programme": s.program.title,
                "decided_on": s.decided_on,
                "outcome": s.outcome,
                "outcome_label": s.get_outcome_display(),
                "reason": s.reason,
                "decided_by": s.decided_by.display_name,
            }
            for s in screenings
        ],
        "group_attendance": [
            {
                "group": a.occurrence.cohort.name,
                "session": a.occurrence.session.title,
                "starts_at": a.occurrence.starts_at,
                "status": a.status,
                "status_label": a.get_status_display(),
            }
            for a in attendance
        ],
    }


def export_json(patient: User, now: dt.datetime) -> bytes:
    data = {**build_export(patient, now), **exports.parts(patient)}  # apps above add parts
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # Everything the PDF needs is inline; never let a document make the server fetch a URL.
    raise ValueError(f"External resources are not allowed in exports: {url[:60]}")


def render_pdf_html(
    patient: User, now: dt.datetime, progress_to: Callable[[int], None] | None = None
) -> str:
    step = progress_to or (lambda percent: None)
    data = build_export(patient, now)
    step(30)
    today = patient.local_today(now)
    start = today - dt.timedelta(days=PDF_CHART_DAYS - 1)
    points = progress.score_points(patient, start, today)
    adherence = [
        {
            "enrolment": enrolment,
            "svg": charts.adherence_svg(weeks),
            "summary": charts.adherence_summary(weeks),
        }
        for enrolment, weeks in progress.adherence_by_enrolment(patient, today)
    ]
    step(50)
    return render_to_string(
        "journaling/mydata/export_pdf.html",
        {
            "SITE_NAME": settings.SITE_NAME,
            "data": data,
            "time_zone": patient.time_zone,
            "chart_days": PDF_CHART_DAYS,
            "trend_svg": charts.trend_svg(points, start, today),
            "trend_summary": charts.trend_summary(points),
            "adherence": adherence,
        },
    )


def export_pdf(
    patient: User, now: dt.datetime, progress_to: Callable[[int], None] | None = None
) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    html = render_pdf_html(patient, now, progress_to)
    if progress_to:
        progress_to(60)  # WeasyPrint's layout is most of the time and reports nothing
    pdf = HTML(string=html, url_fetcher=_no_fetch).write_pdf()
    assert pdf is not None  # write_pdf() returns bytes when no target is given
    return pdf


# --- the PDF as a worker's export job (recovery.export_jobs) ----------------------------------
# A year of history took ~29 s inside a web request (issue 12); the worker builds it now and
# the patient downloads it from the job's page. The JSON stays synchronous (it is fast).
PDF_JOB = "my_data_pdf"


def pdf_filename(patient: User, now: dt.datetime) -> str:
    return f"my-data-{patient.local_today(now):%Y-%m-%d}.pdf"


def build_pdf_job(job: ExportJob, progress_to: Callable[[int], None]) -> export_jobs.Built:
    now = timezone.now()
    patient = job.owner
    return export_jobs.Built(export_pdf(patient, now, progress_to), pdf_filename(patient, now))


def allow_pdf_job(request: HttpRequest, job: ExportJob, download: bool) -> None:
    """A patient's own data only (the owner check is the core's; this one holds the kind)."""
    if job.patient_id != job.owner_id or not request.user.is_authenticated:
        raise Http404("Not found")


def register_pdf_job() -> None:
    export_jobs.register(export_jobs.ExportKind(
        name=PDF_JOB, label=str(_("My data (PDF)")), build=build_pdf_job, allow=allow_pdf_job,
        back_url=lambda job: reverse("journaling:my_data"),
    ))
