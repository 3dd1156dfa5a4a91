"""The clinician's patients: a minimal list, and the journal entries a patient shared.
Access (and the audit of every read) is clinicians.access'."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from clinicians.access import patients_for, shared_journal_page, with_shared_count
from journaling import entries
from recovery import audit
from recovery.decorators import clinician_required
from recovery.http import AuthedHttpRequest

PAGE_SIZE = 20


@clinician_required
def patient_list(request: AuthedHttpRequest) -> HttpResponse:
    patients = list(
        with_shared_count(patients_for(request.user))
        .select_related("patient_profile")
        .order_by("patient_profile__display_name", "email")
    )
    audit.record(request, "view_patient_list", count=len(patients))
    return render(request, "clinicians/patients/list.html", {"patients": patients})


@clinician_required
def patient_journal(request: AuthedHttpRequest, patient_id: int) -> HttpResponse:
    patient, page = shared_journal_page(request, patient_id, request.GET.get("page"), PAGE_SIZE)
    rows = [(entry, entries.details(entry)) for entry in page]
    return render(
        request,
        "clinicians/patients/journal.html",
        {"patient": patient, "page": page, "rows": rows},
    )
