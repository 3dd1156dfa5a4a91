"""The audit trail: every read of patient data by staff is recorded."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import AuditEvent, User


def record(
    request: HttpRequest,
    action: str,
    patient: User | None = None,
    **detail: Any,
) -> None:
    user = request.user if request.user.is_authenticated else None
    if user is not None and user.is_patient and (patient is None or patient.pk == user.pk):
        return  # a patient reading their own data is not a staff read
    AuditEvent.objects.create(
        actor=user,
        patient=patient,
        action=action,
        path=request.get_full_path()[:300],
        detail=detail,
        ip=request.META.get("REMOTE_ADDR"),
    )
