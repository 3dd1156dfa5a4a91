"""ExportJob: a file built by the worker for one person (a patient's "My data" PDF, a
clinician's long progress report), kept under DATA_DIR/private for EXPORT_TTL_HOURS.

Imported by recovery/models.py, so it is a model of the `recovery` app. What each kind builds
is its app's (registered in recovery.export_jobs); the core knows no feature.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being prepared"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    IN_PROGRESS = (Status.QUEUED, Status.RUNNING)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    # Whose data it holds (the owner themself for "My data"; the patient of a report).
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    # A digest of `params`: with owner and kind, the key of "the same export".
    params_key = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    # Relative to settings.EXPORT_DIR, never under MEDIA_ROOT (nothing serves it but the
    # download view, which checks who asks).
    file_name = models.CharField(max_length=200, blank=True)
    download_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A second click while the first is being prepared gets the first (the database
            # decides, so two simultaneous requests cannot both start one).
            models.UniqueConstraint(
                fields=["owner", "kind", "params_key"],
                condition=Q(status__in=["queued", "running"]),
                name="one_export_in_progress",
            )
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="export_status_expiry")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} for {self.owner_id}: {self.status}"

    @property
    def in_progress(self) -> bool:
        return self.status in self.IN_PROGRESS

    def expired(self, now: object = None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.EXPIRED or (
            self.expires_at is not None and self.expires_at <= now  # type: ignore[operator]
        )
