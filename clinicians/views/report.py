"""The PDF progress report: a small page to choose the period and paper, and the PDF itself.
The patient comes through clinicians.access.get_patient_for (404 outside the care team), which
writes the read to the audit trail; the report's data is clinicians.report's."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clinicians import report, report_jobs, report_options
from clinicians.access import get_patient_for
from recovery.decorators import clinician_required
from recovery.http import AuthedHttpRequest
from recovery.models import User


def _form_page(
    request: AuthedHttpRequest,
    patient: User,
    options: report_options.ReportOptions,
    errors: list[str],
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "clinicians/report/form.html",
        {
            "patient": patient,
            "options": options,
            "errors": errors,
            "papers": [("a4", "A4"), ("letter", "US Letter")],
            "max_days": report_options.MAX_DAYS,
            "today": patient.local_today(),
        },
        status=status,
    )


@clinician_required
def report_form(request: AuthedHttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request, patient_id, "view_report_form")
    options = report_options.default_options(patient, patient.local_today())
    return _form_page(request, patient, options, [])


@clinician_required
@require_POST
def report_prepare(request: AuthedHttpRequest, patient_id: int) -> HttpResponse:
    """Start (or find, on a second click) the worker's build of this report; the answer is
    the job's page, at once, with its progress."""
    asked = {key: request.POST.get(key, "")[:20] for key in ("from", "to", "paper")}
    patient = get_patient_for(request, patient_id, "prepare_report", **asked)
    options, errors = report_options.parse_options(request.POST, patient, patient.local_today())
    if errors:
        return _form_page(request, patient, options, errors, status=400)
    job = report_jobs.start(request.user, patient, options)
    return redirect("exports:job", job.pk)


@clinician_required
@never_cache
def report_pdf(request: AuthedHttpRequest, patient_id: int) -> HttpResponse:
    # The audit event names the period asked for, as asked (the patient's local date, which
    # the checks need, is known only once the patient is).
    asked = {key: request.GET.get(key, "")[:20] for key in ("from", "to", "paper")}
    patient = get_patient_for(request, patient_id, "view_report", **asked)
    options, errors = report_options.parse_options(request.GET, patient, patient.local_today())
    if errors:
        return _form_page(request, patient, options, errors, status=400)
    if options.days > settings.REPORT_ASYNC_DAYS:
        # A long period is built by the worker (clinicians.report_jobs): a page with one
        # button that starts it, so a reload or a link never starts a second build. Measured
        # (a year of history, PostgreSQL, 2 busy cores, load ~13): 28 days 12 s, 60-120 days
        # 15 s, 365 days 36 s, WeasyPrint's layout 80-95% of it; the cost grows past ~3 months,
        # so REPORT_ASYNC_DAYS defaults to 90 and the usual report (since the last visit, 3-4
        # weeks) stays a direct download.
        return render(
            request, "clinicians/report/prepare.html", {"patient": patient, "options": options}
        )
    now = timezone.now()
    content = report.render_pdf(report.build_report(patient, request.user, options, now))
    response = HttpResponse(content, content_type="application/pdf")
    name = f"progress-report-{patient.pk}-{options.end:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store, private"  # health data: no shared or back cache
    return response
