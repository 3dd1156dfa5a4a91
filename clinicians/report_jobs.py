"""The progress report as a worker's export job (recovery.export_jobs), for long periods:
more than REPORT_ASYNC_DAYS days (default 90; measured in clinicians/views/report.py). The
job's parameters are the period and paper as asked; the worker re-checks them with the same
rule (report_options.parse_options) so a job cannot hold what the form would refuse.

Who may see the job: its owner (the core's check), and only while the patient is still theirs
to see (clinicians.access): the download is audited like the synchronous PDF.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recovery import export_jobs
from recovery.models import ExportJob, User

from . import report, report_options
from .access import get_patient_for, patients_for

REPORT_JOB = "clinic_report"


def filename(patient: User, options: report_options.ReportOptions) -> str:
    return f"progress-report-{patient.pk}-{options.end:%Y-%m-%d}.pdf"


def start(author: User, patient: User, options: report_options.ReportOptions) -> ExportJob:
    params = {"from": options.start.isoformat(), "to": options.end.isoformat(),
              "paper": options.paper}
    return export_jobs.start(author, REPORT_JOB, params, patient=patient)


def build(job: ExportJob, progress_to: export_jobs.Progress) -> export_jobs.Built:
    assert job.patient_id is not None  # a report job always names its patient
    patient = User.objects.get(pk=job.patient_id)
    now = timezone.now()
    options, errors = report_options.parse_options(job.params, patient, patient.local_today(now))
    if errors:
        raise ValueError("; ".join(errors))
    data = report.build_report(patient, job.owner, options, now)
    progress_to(40)  # the rest is WeasyPrint's layout
    return export_jobs.Built(report.render_pdf(data), filename(patient, options))


def allow(request: HttpRequest, job: ExportJob, download: bool) -> None:
    """Still on the care team (or the clinic's admin): 404 otherwise. The download reads
    patient data, so it goes through get_patient_for, which audits it; the progress page
    (polled every 2 s) shows none and is not audited."""
    if download:
        get_patient_for(request, job.patient_id, "download_report", job=job.pk)  # type: ignore[arg-type]
        return
    user = request.user
    if job.patient_id is None or not patients_for(user).filter(pk=job.patient_id).exists():  # type: ignore[arg-type]
        raise Http404("Not found")


def register() -> None:
    export_jobs.register(export_jobs.ExportKind(
        name=REPORT_JOB, label=str(_("Progress report (PDF)")), build=build, allow=allow,
        back_url=lambda job: reverse("clinicians:patient_report", args=[job.patient_id]),
    ))
