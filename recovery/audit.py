"""The audit trail: every read of patient data by staff is recorded, and nothing rewrites it.

`record` appends one `AuditEvent` (who, which patient, what, when, from where, which request);
the model refuses updates and deletes (and on PostgreSQL a trigger does too). `describe` puts an
action into words for the patient's "Who opened my record" page.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import AuditEvent, User

# What each action means, as the patient reads it ("<who> <words>"). Actions not listed are
# shown by a generic phrase rather than a code.
ACTION_WORDS = {
    "view_patient": "opened your record",
    "view_patient_review": "opened your record",
    "view_shared_journal": "read your shared journal entries",
    "view_report": "made a progress report about you",
    "view_report_form": "opened the progress report page",
    "view_cohort": "opened your group's page",
    "record_attendance": "recorded your group attendance",
    "record_screening": "recorded a screening decision",
    "join_cohort": "added you to a group",
    "export_fhir": "exported your questionnaire results",
    "view_fhir": "exported your questionnaire results",
}
ADMIN_WORDS = "looked at your account details in the administration pages"


def describe(action: str) -> str:
    if action in ACTION_WORDS:
        return ACTION_WORDS[action]
    if action.startswith("admin_"):
        return ADMIN_WORDS
    return "looked at your data"


def request_id_of(request: HttpRequest) -> str:
    """The id RequestIDMiddleware gave this request ("" for a request that did not pass it)."""
    return str(getattr(request, "request_id", "") or "")


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
        actor=user,  # the model copies their address, name and role onto the row
        patient=patient,
        action=action,
        path=request.get_full_path()[:300],
        detail=detail,
        ip=request.META.get("REMOTE_ADDR"),
        request_id=request_id_of(request),
    )
