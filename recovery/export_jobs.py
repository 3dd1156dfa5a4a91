"""Long exports built by the worker: a registry of kinds (each app registers its own from its
AppConfig.ready(), so the core names no feature), starting a job, running it (the Celery
task's body), the notification when it is ready, serving the file, and the sweep.

    from recovery import export_jobs
    export_jobs.register(export_jobs.ExportKind(
        name="my_data_pdf", label=_("My data (PDF)"), build=build_pdf, allow=own_job,
    ))

`build(job, progress)` returns a `Built` (bytes, file name, content type) and may call
`progress(percent)`; `allow(request, job, download)` raises Http404 when the signed-in user may
not see this job any more (a clinician no longer on the care team), and writes the audit
event when `download` is True.

Redelivery-safe: the task claims the job under SELECT ... FOR UPDATE; a job done, failed or
being built by a live worker is left alone. A worker lost mid-build leaves the job "running":
the sweep (beat) hands it out again once its lease has passed, and deletes expired files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from .models import ExportJob, ReminderLedger, User

log = logging.getLogger(__name__)
Status = ExportJob.Status
LEASE = dt.timedelta(minutes=10)  # a build still "running" after this was lost with its worker
READY_PATIENT = "export_ready"  # the notification kinds (recovery.apps registers them)
READY_STAFF = "export_ready_staff"


@dataclass(frozen=True)
class Built:
    content: bytes
    filename: str
    content_type: str = "application/pdf"


Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExportKind:
    name: str
    label: str  # what the page calls the file
    build: Callable[[ExportJob, Progress], Built]
    allow: Callable[[HttpRequest, ExportJob, bool], None]
    back_url: Callable[[ExportJob], str] = lambda job: "/"


_kinds: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> None:
    """Add a kind (registering it again from a repeated ready() is harmless)."""
    _kinds[kind.name] = kind


def get(name: str) -> ExportKind:
    return _kinds[name]


def ttl() -> dt.timedelta:
    return dt.timedelta(hours=int(settings.EXPORT_TTL_HOURS))


def params_key(params: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()


# --- starting --------------------------------------------------------------------------------


def start(owner: User, kind: str, params: dict[str, Any], patient: User | None = None) -> ExportJob:
    """The job preparing this export for `owner`: the one already queued or running with the
    same parameters, or a new one handed to the worker once the transaction commits."""
    key = params_key(params)
    for _attempt in range(3):
        running = ExportJob.objects.filter(
            owner=owner, kind=kind, params_key=key, status__in=ExportJob.IN_PROGRESS
        ).first()
        if running is not None:
            return running
        try:
            with transaction.atomic():
                job = ExportJob.objects.create(
                    owner=owner, patient=patient, kind=kind, params=params, params_key=key
                )
        except IntegrityError:
            continue  # a simultaneous click created it first: return that one
        transaction.on_commit(lambda pk=job.pk: enqueue(pk))  # type: ignore[misc]
        return job
    raise RuntimeError("could not start or find the export job")  # pragma: no cover


def enqueue(job_id: int) -> None:
    from .tasks import build_export

    try:
        build_export.delay(job_id)
    except Exception:  # noqa: BLE001 - the broker is down: the job stays queued, the sweep retries
        log.warning("export job %s: broker unreachable, left for the sweep", job_id)


# --- running (the task) ---------------------------------------------------------------------


def claim(job_id: int, now: dt.datetime) -> ExportJob | None:
    """Mark the job running, if it is queued (or its last build was lost); None otherwise."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in ExportJob.IN_PROGRESS:
            return None
        if job.status == Status.RUNNING and job.started_at and now - job.started_at < LEASE:
            return None  # a live worker is building it
        job.status, job.started_at, job.progress = Status.RUNNING, now, 0
        job.save(update_fields=["status", "started_at", "progress"])
        return job


def run(job_id: int) -> str:
    """Build one job's file; returns what happened. Safe to call again for the same job."""
    now = timezone.now()
    job = claim(job_id, now)
    if job is None:
        return "not claimed"

    def progress(percent: int) -> None:
        ExportJob.objects.filter(pk=job_id, status=Status.RUNNING).update(
            progress=max(0, min(99, int(percent)))
        )

    try:
        built = get(job.kind).build(job, progress)
        name = write_file(job, built)
    except Exception as exc:
        log.exception("export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id, status=Status.RUNNING).update(
            status=Status.FAILED, error=repr(exc)[:300], finished_at=timezone.now()
        )
        return "failed"
    done = timezone.now()
    updated = ExportJob.objects.filter(pk=job_id, status=Status.RUNNING).update(
        status=Status.DONE, progress=100, file_name=name, download_name=built.filename,
        content_type=built.content_type, size=len(built.content), finished_at=done,
        expires_at=done + ttl(),
    )
    if not updated:
        remove_file(name)  # swept meanwhile: keep no orphan
        return "lost"
    job.refresh_from_db()
    notify(job)
    return "done"


def write_file(job: ExportJob, built: Built) -> str:
    directory = Path(settings.EXPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    suffix = Path(built.filename).suffix[:10]
    name = f"{job.pk}-{secrets.token_hex(12)}{suffix}"
    partial = directory / f".{name}.part"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(built.content)
    os.replace(partial, directory / name)  # whole or absent, never half a file
    return name


def remove_file(name: str) -> None:
    if name:
        with contextlib.suppress(FileNotFoundError):
            (Path(settings.EXPORT_DIR) / Path(name).name).unlink()


def job_url(job: ExportJob) -> str:
    return reverse("exports:job", args=[job.pk])


def notify(job: ExportJob) -> None:
    """A bell notification and an email (recovery.notifications): one ledger row per job,
    whatever redeliveries occur. It says a file is ready, never what is in it."""
    from .notifications.tasks import send_reminder

    kind = READY_PATIENT if job.owner.is_patient else READY_STAFF
    hours = int(settings.EXPORT_TTL_HOURS)
    ReminderLedger.objects.bulk_create(
        [ReminderLedger(recipient_id=job.owner_id, kind=kind, slot=f"export-{job.pk}",
                        due_at=timezone.now(), context={"url": job_url(job), "hours": hours})],
        ignore_conflicts=True,
    )
    ids = list(
        ReminderLedger.objects.filter(
            recipient_id=job.owner_id, kind=kind, slot=f"export-{job.pk}",
            status=ReminderLedger.Status.QUEUED,
        ).values_list("pk", flat=True)
    )

    def send() -> None:
        for pk in ids:
            try:
                send_reminder.delay(pk)
            except Exception:  # noqa: BLE001 - the row stays queued; the dispatcher's sweep sends it
                return

    transaction.on_commit(send)


# --- reading ---------------------------------------------------------------------------------


def job_for(request: HttpRequest, job_id: int, download: bool = False) -> ExportJob:
    """The signed-in user's own job (404 for anyone else's), checked again by its kind (a
    clinician must still reach the patient; the download is audited there)."""
    user = request.user
    if not user.is_authenticated:
        raise Http404("Not found")
    job = ExportJob.objects.filter(pk=job_id, owner=user).first()
    if job is None or job.kind not in _kinds:
        raise Http404("Not found")
    get(job.kind).allow(request, job, download)
    return job


def file_response(job: ExportJob) -> HttpResponse:
    """The file as an attachment (a PDF of a few MB: read whole)."""
    path = Path(settings.EXPORT_DIR) / Path(job.file_name).name
    try:
        content = path.read_bytes()
    except FileNotFoundError as exc:
        raise Http404("Not found") from exc
    response = HttpResponse(content, content_type=job.content_type)
    response["Content-Disposition"] = f'attachment; filename="{job.download_name}"'
    response["Cache-Control"] = "no-store, private"  # health data: no shared or back cache
    return response


# --- the sweep (beat) ------------------------------------------------------------------------


def sweep(now: dt.datetime) -> tuple[int, int]:
    """Delete the files of expired jobs, and hand out again jobs whose task was lost (queued
    with a broker that was down, or running past the lease). Returns (expired, requeued)."""
    expired = 0
    for job in ExportJob.objects.filter(status=Status.DONE, expires_at__lte=now):
        remove_file(job.file_name)
        expired += ExportJob.objects.filter(pk=job.pk, status=Status.DONE).update(
            status=Status.EXPIRED, file_name=""
        )
    stale = list(
        ExportJob.objects.filter(status=Status.QUEUED, created_at__lte=now - LEASE)
        .values_list("pk", flat=True)
    ) + list(
        ExportJob.objects.filter(status=Status.RUNNING, started_at__lte=now - LEASE)
        .values_list("pk", flat=True)
    )
    for pk in stale:
        enqueue(pk)
    remove_orphans(now)
    return expired, len(stale)


def remove_orphans(now: dt.datetime) -> int:
    """Files no job points at (a job row deleted with its account, a build that died
    between writing and recording), once older than any live link could be."""
    directory = Path(settings.EXPORT_DIR)
    if not directory.is_dir():
        return 0
    kept = set(ExportJob.objects.exclude(file_name="").values_list("file_name", flat=True))
    cutoff = (now - ttl() - LEASE).timestamp()
    removed = 0
    for path in directory.iterdir():
        if path.name not in kept and path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def purge_patient_data(sender: Any, patient: User, now: dt.datetime, **kwargs: Any) -> dict[str, int]:
    """An account purged after its grace period (recovery.deletion): every prepared file of
    or about the patient goes at once, with its job."""
    jobs = ExportJob.objects.filter(Q(owner=patient) | Q(patient=patient))
    for name in jobs.exclude(file_name="").values_list("file_name", flat=True):
        remove_file(name)
    deleted, _ = jobs.delete()
    return {"export_jobs": deleted} if deleted else {}  # the audit names only what existed
