"""A progress report over a long period (more than REPORT_ASYNC_DAYS) is built by the worker:
the report page offers one "Prepare the PDF" button, the POST answers at once with the job's
page (enqueued on commit; a second click gets the same job), and the file goes only to the
clinician who asked, while the patient is still theirs, audited; an expired link is refused.
The last test runs a real Celery worker."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clinicians.models import CareTeamMember
from recovery import export_jobs
from recovery.models import AuditEvent, ExportJob, User
from tests.clinicians.test_report import TODAY, Case, frozen_clock, pdf_text  # noqa: F401
from tests.conftest import client_for
from tests.factories import AdminFactory, ClinicianFactory, PatientFactory
from tests.recovery.test_celery import worker  # noqa: F401  (the in-thread worker fixture)

pytestmark = pytest.mark.django_db
LONG = {"from": (TODAY - dt.timedelta(days=119)).isoformat(), "to": TODAY.isoformat(),
        "paper": "a4"}


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path / "exports"
    return settings.EXPORT_DIR


@pytest.fixture
def case() -> Case:
    return Case()


def prepare_url(case: Case) -> str:
    return reverse("clinicians:patient_report_prepare", args=[case.patient.pk])


def prepare(case: Case, who: User | None = None) -> ExportJob:
    response = client_for(who or case.doc).post(prepare_url(case), LONG)
    assert response.status_code == 302, response.content[:300]
    return ExportJob.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))


def test_a_long_period_offers_to_prepare_it_and_builds_nothing_in_the_request(case):
    url = reverse("clinicians:patient_report_pdf", args=[case.patient.pk])
    response = client_for(case.doc).get(url, LONG)
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Prepare the PDF" in body and f'action="{prepare_url(case)}"' in body
    assert 'name="from" value="' + LONG["from"] + '"' in body
    assert not ExportJob.objects.exists()  # a GET starts nothing
    # A short one stays a direct download (tests/clinicians/test_report.py).
    short = client_for(case.doc).get(url)
    assert short["Content-Type"] == "application/pdf"


def test_the_threshold_is_a_setting(case, settings):
    settings.REPORT_ASYNC_DAYS = 200
    url = reverse("clinicians:patient_report_pdf", args=[case.patient.pk])
    assert client_for(case.doc).get(url, LONG)["Content-Type"] == "application/pdf"


def test_prepare_is_enqueued_on_commit_and_a_second_click_gets_the_same_job(
    case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = prepare(case)
    assert len(callbacks) == 1 and job.status == ExportJob.Status.QUEUED
    assert job.owner == case.doc and job.patient == case.patient
    assert job.params == LONG
    assert AuditEvent.objects.filter(action="prepare_report", patient=case.patient).exists()
    assert prepare(case).pk == job.pk and ExportJob.objects.count() == 1


def test_odd_dates_get_the_form_with_messages_and_no_job(case):
    response = client_for(case.doc).post(prepare_url(case), {"from": "2026-02-30", "to": "x"})
    assert response.status_code == 400
    assert "is not a date" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_the_built_report_goes_to_its_author_only_audited(case):
    job = prepare(case)
    assert export_jobs.run(job.pk) == "done"
    download = f"/exports/{job.pk}/download/"
    response = client_for(case.doc).get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    name = f"progress-report-{case.patient.pk}-{TODAY:%Y-%m-%d}.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    text = pdf_text(response.content)
    assert "Maya Okafor" in text and "(120 days)" in text
    assert AuditEvent.objects.filter(
        action="download_report", actor=case.doc, patient=case.patient
    ).exists()

    # A colleague on the same care team, another clinician, the clinic's admin (not the
    # author) and the patient: 404 for the page and the file, nothing read.
    colleague = ClinicianFactory(email="colleague@example.test", clinic=case.doc.clinic)
    CareTeamMember.objects.create(patient=case.patient, clinician=colleague)
    admin = AdminFactory(email="admin@example.test", clinic=case.doc.clinic)
    before = AuditEvent.objects.count()
    for outsider in (colleague, ClinicianFactory(email="far@example.test"), admin, case.patient,
                     PatientFactory(email="someone@example.test")):
        for url in (f"/exports/{job.pk}/", download):
            assert client_for(outsider).get(url).status_code == 404, (outsider.email, url)
    assert AuditEvent.objects.exclude(patient=None).count() == before


def test_a_clinician_no_longer_on_the_care_team_cannot_download(case):
    job = prepare(case)
    export_jobs.run(job.pk)
    CareTeamMember.objects.filter(clinician=case.doc, patient=case.patient).delete()
    assert client_for(case.doc).get(f"/exports/{job.pk}/download/").status_code == 404
    assert client_for(case.doc).get(f"/exports/{job.pk}/").status_code == 404


def test_the_progress_page_polls_and_is_not_audited(case):
    job = prepare(case)
    before = AuditEvent.objects.count()
    body = client_for(case.doc).get(f"/exports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in body and "Progress report (PDF)" in body
    assert AuditEvent.objects.count() == before
    assert reverse("clinicians:patient_report", args=[case.patient.pk]) in body


def test_an_expired_report_link_is_refused(case):
    job = prepare(case)
    export_jobs.run(job.pk)
    job.refresh_from_db()
    with time_machine.travel(job.expires_at + dt.timedelta(minutes=1), tick=False):
        response = client_for(case.doc).get(f"/exports/{job.pk}/download/")
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_it_and_the_bell_says_so(worker):  # noqa: F811
    from recovery.models import Notification

    frozen_clock_off = time_machine.travel(timezone.now(), tick=True)  # the worker needs time
    with frozen_clock_off:
        case = Case()
        job = prepare(case)  # the request commits: the task goes to the broker
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status not in ExportJob.IN_PROGRESS:
                break
            time.sleep(0.3)
        assert job.status == ExportJob.Status.DONE, (job.status, job.error)
        response = client_for(case.doc).get(f"/exports/{job.pk}/download/")
        assert response.content.startswith(b"%PDF")
        deadline = time.monotonic() + 30
        while not Notification.objects.filter(recipient=case.doc).exists():
            assert time.monotonic() < deadline, "no notification"
            time.sleep(0.3)
        assert Notification.objects.get(recipient=case.doc).url == f"/exports/{job.pk}/"
