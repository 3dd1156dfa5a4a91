"""The page of one export job (progress, polled with htmx until it is ready) and its download.
Only the job's owner reaches them (recovery.export_jobs.job_for: 404 for anyone else), and
the job's kind checks again that they may still see it (a clinician's report: through
clinicians.access, audited on download). An expired link answers 410 with a clear page."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from . import export_jobs
from .decorators import role_required
from .http import AuthedHttpRequest
from .notifications.registry import Due

signed_in = role_required("patient", "clinician", "admin")


def register_notifications() -> None:
    """The "your file is ready" kinds, one per audience (so each account page offers it).
    Never due by schedule: recovery.export_jobs.notify writes the row when a file is built."""
    from .notifications.registry import ReminderKind, register

    for name, audience in ((export_jobs.READY_PATIENT, "patient"),
                           (export_jobs.READY_STAFF, "clinician")):
        register(ReminderKind(
            name=name, label=str(_("A file I asked for is ready")), audience=audience,
            due=_never, title=str(_("Your file is ready to download")), url="/",
        ))


def _never(start: dt.datetime, end: dt.datetime) -> list[Due]:
    return []


@signed_in
@require_GET
@never_cache
@vary_on_headers("HX-Request")
def job(request: AuthedHttpRequest, job_id: int) -> HttpResponse:
    found = export_jobs.job_for(request, job_id)
    kind = export_jobs.get(found.kind)
    context = {
        "job": found, "kind": kind, "back_url": kind.back_url(found),
        "expired": found.expired(timezone.now()), "hours": int(export_jobs.ttl().total_seconds() // 3600),
    }
    if request.htmx:
        return render(request, "exports/_job.html", context)
    return render(request, "exports/job.html", context)


@signed_in
@require_GET
@never_cache
def download(request: AuthedHttpRequest, job_id: int) -> HttpResponse:
    found = export_jobs.job_for(request, job_id, download=True)
    kind = export_jobs.get(found.kind)
    if found.expired(timezone.now()):
        return render(
            request, "exports/gone.html", {"job": found, "kind": kind,
                                           "back_url": kind.back_url(found),
                                           "hours": int(export_jobs.ttl().total_seconds() // 3600)},
            status=410,
        )
    if found.status != found.Status.DONE:
        return render(
            request, "exports/job.html",
            {"job": found, "kind": kind, "back_url": kind.back_url(found), "expired": False},
            status=409,
        )
    return export_jobs.file_response(found)
