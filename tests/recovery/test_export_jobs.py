"""Exports built by the worker (recovery.export_jobs), through the patient's "My data" PDF:
the request only starts a job (enqueued on commit), a second click gets the same job, the
task is safe to run twice, the file is only its owner's, the link expires (410) and the sweep
deletes the file; the page polls with htmx until the file is ready, and the bell says so."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from recovery import export_jobs
from recovery.models import ExportJob, Notification, ReminderLedger
from tests.conftest import client_for
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
Status = ExportJob.Status


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path) -> Path:
    settings.EXPORT_DIR = tmp_path / "private" / "exports"
    return settings.EXPORT_DIR


def prepare(client) -> ExportJob:
    response = client.post("/my-data/export.pdf")
    assert response.status_code == 302
    job = ExportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert response["Location"] == f"/exports/{job.pk}/"
    return job


def test_the_request_only_starts_a_job_enqueued_on_commit(
    patient, patient_client, django_capture_on_commit_callbacks, celery_eager, export_dir
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = prepare(patient_client)
    # Nothing built in the request: the job waits for the worker, handed over on commit.
    assert job.status == Status.QUEUED and job.file_name == ""
    assert len(callbacks) == 1
    callbacks[0]()  # commit: the (eager) task runs
    job.refresh_from_db()
    assert job.status == Status.DONE and job.progress == 100
    assert (export_dir / job.file_name).read_bytes().startswith(b"%PDF")
    assert job.expires_at == job.finished_at + dt.timedelta(hours=24)
    assert job.download_name.startswith("my-data-") and job.download_name.endswith(".pdf")
    assert job.patient == patient and job.owner == patient


def test_the_default_place_is_private_and_outside_the_public_media():
    from recovery import settings as configured  # as deployed, before any test override

    assert configured.EXPORT_DIR == configured.DATA_DIR / "private" / "exports"
    assert not configured.EXPORT_DIR.is_relative_to(configured.MEDIA_ROOT)


def test_a_second_click_while_it_is_prepared_returns_the_same_job(patient, patient_client):
    first = prepare(patient_client)
    second = prepare(patient_client)
    assert first.pk == second.pk and ExportJob.objects.count() == 1
    # The database holds it too: a second in-progress row with the same key is refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportJob.objects.create(owner=patient, patient=patient, kind=first.kind,
                                 params={}, params_key=first.params_key)
    # Once the first is done, a new click prepares a new file.
    export_jobs.run(first.pk)
    assert prepare(patient_client).pk != first.pk


def test_the_task_is_idempotent_under_redelivery(patient, patient_client, export_dir, mailoutbox):
    job = prepare(patient_client)
    assert export_jobs.run(job.pk) == "done"
    job.refresh_from_db()
    built = job.file_name
    # The same message delivered again: not rebuilt, no second file, no second notice.
    assert export_jobs.run(job.pk) == "not claimed"
    job.refresh_from_db()
    assert job.file_name == built and len(list(export_dir.iterdir())) == 1
    assert ReminderLedger.objects.filter(kind=export_jobs.READY_PATIENT).count() == 1
    # A job being built by a live worker is not taken by a second copy either.
    running = prepare(patient_client)
    assert export_jobs.claim(running.pk, timezone.now()) is not None
    assert export_jobs.run(running.pk) == "not claimed"
    # ...but one whose worker died (past the lease) is built again.
    later = timezone.now() + export_jobs.LEASE + dt.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert export_jobs.run(running.pk) == "done"


def test_ready_job_notifies_in_the_bell_and_by_email(
    patient, patient_client, django_capture_on_commit_callbacks, celery_eager, mailoutbox
):
    job = prepare(patient_client)
    with django_capture_on_commit_callbacks(execute=True):
        export_jobs.run(job.pk)
    note = Notification.objects.get(recipient=patient)
    assert note.url == f"/exports/{job.pk}/"
    assert "ready" in note.title.lower()
    [message] = mail.outbox
    assert message.to == [patient.email] and f"/exports/{job.pk}/" in message.body
    assert "24 hours" in message.body


def test_the_file_only_for_its_owner(patient, patient_client, clinician, export_dir):
    job = prepare(patient_client)
    export_jobs.run(job.pk)
    response = patient_client.get(f"/exports/{job.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert response["Cache-Control"].startswith("no-store, private")
    assert response.content.startswith(b"%PDF")
    other = PatientFactory(email="other@example.test")
    for stranger in (other, clinician):
        for url in (f"/exports/{job.pk}/", f"/exports/{job.pk}/download/"):
            assert client_for(stranger).get(url).status_code == 404, (stranger.email, url)
    anonymous = patient_client.__class__().get(f"/exports/{job.pk}/download/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_an_expired_link_is_refused_and_the_sweep_deletes_the_file(
    patient, patient_client, export_dir
):
    job = prepare(patient_client)
    export_jobs.run(job.pk)
    job.refresh_from_db()
    path = export_dir / job.file_name
    after = job.expires_at + dt.timedelta(seconds=1)
    with time_machine.travel(after, tick=False):
        patient_client = client_for(patient)  # signed in again: the old session timed out
        response = patient_client.get(f"/exports/{job.pk}/download/")
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
        assert path.exists()  # until the sweep
        assert export_jobs.sweep(timezone.now()) == (1, 0)
    assert not path.exists()
    job.refresh_from_db()
    assert job.status == Status.EXPIRED and job.file_name == ""
    with time_machine.travel(after, tick=False):
        patient_client = client_for(patient)
        assert patient_client.get(f"/exports/{job.pk}/download/").status_code == 410
        # My data no longer offers it.
        assert f"/exports/{job.pk}/" not in patient_client.get("/my-data/").content.decode()


def test_the_ttl_is_a_setting(settings, patient, patient_client):
    settings.EXPORT_TTL_HOURS = 2
    job = prepare(patient_client)
    export_jobs.run(job.pk)
    job.refresh_from_db()
    assert job.expires_at - job.finished_at == dt.timedelta(hours=2)


def test_the_progress_partial_polls_until_ready(patient, patient_client):
    job = prepare(patient_client)
    page = patient_client.get(f"/exports/{job.pk}/").content.decode()
    assert "<html" in page and 'hx-trigger="every 2s"' in page and "<progress" in page
    ExportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, progress=60)
    partial = patient_client.get(f"/exports/{job.pk}/", HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<html" not in body and 'value="60"' in body and 'hx-trigger="every 2s"' in body
    assert "HX-Request" in partial["Vary"]
    ExportJob.objects.filter(pk=job.pk).update(status=Status.QUEUED)
    export_jobs.run(job.pk)
    done = patient_client.get(f"/exports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done  # ready: polling stops
    assert f"/exports/{job.pk}/download/" in done
    # My data shows the prepared file too.
    assert f"/exports/{job.pk}/download/" in patient_client.get("/my-data/").content.decode()


def test_a_failed_build_says_so_and_a_new_click_tries_again(patient, patient_client, monkeypatch):
    job = prepare(patient_client)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(export_jobs, "write_file", broken)
    assert export_jobs.run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == Status.FAILED and "disk full" in job.error
    assert "could not be prepared" in patient_client.get(f"/exports/{job.pk}/").content.decode()
    assert patient_client.get(f"/exports/{job.pk}/download/").status_code == 409
    assert prepare(patient_client).pk != job.pk


def test_a_lost_task_is_handed_out_again_by_the_sweep(
    patient, patient_client, django_capture_on_commit_callbacks, celery_eager
):
    job = prepare(patient_client)  # its on-commit enqueue never ran: as if the broker was down
    assert export_jobs.sweep(timezone.now()) == (0, 0)  # not yet: within the lease
    later = timezone.now() + export_jobs.LEASE + dt.timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert export_jobs.sweep(timezone.now()) == (0, 1)
    job.refresh_from_db()
    assert job.status == Status.DONE


def test_get_leads_to_the_button(patient_client):
    response = patient_client.get("/my-data/export.pdf")
    assert response.status_code == 302 and response["Location"].startswith("/my-data/")
    page = patient_client.get("/my-data/").content.decode()
    assert "Prepare the PDF" in page


def test_a_purged_account_loses_its_files_at_once(patient, patient_client, export_dir):
    from recovery import deletion

    job = prepare(patient_client)
    export_jobs.run(job.pk)
    job.refresh_from_db()
    assert (export_dir / job.file_name).exists()
    deletion.purge_account(patient, timezone.now())
    assert not ExportJob.objects.exists() and list(export_dir.iterdir()) == []


def test_the_sweep_removes_files_no_job_points_at(patient, patient_client, export_dir):
    job = prepare(patient_client)
    export_jobs.run(job.pk)
    job.refresh_from_db()
    stray = export_dir / "999-leftover.pdf"
    stray.write_bytes(b"%PDF-old")
    assert export_jobs.remove_orphans(timezone.now()) == 0  # too recent: maybe being recorded
    old = timezone.now() - export_jobs.ttl() - export_jobs.LEASE - dt.timedelta(minutes=1)
    os.utime(stray, (old.timestamp(), old.timestamp()))
    os.utime(export_dir / job.file_name, (old.timestamp(), old.timestamp()))
    assert export_jobs.remove_orphans(timezone.now()) == 1
    assert not stray.exists() and (export_dir / job.file_name).exists()  # a job's file stays
