"""The journal entries a patient shared; the old patient list now lives on the caseload page.
Access (and the audit of every read) is clinicians.access'."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render

from clinicians.access import shared_journal_page
from journaling import entry_text
from recovery.decorators import clinician_required
from recovery.http import AuthedHttpRequest

PAGE_SIZE = 20


@clinician_required
def patient_list(request: AuthedHttpRequest) -> HttpResponse:
    """/clinic/patients/ was a second, thinner list of the same patients: old links and
    bookmarks land on the caseload (/clinic/), the one list."""
    return redirect("clinicians:dashboard")


@clinician_required
def patient_journal(request: AuthedHttpRequest, patient_id: int) -> HttpResponse:
    patient, page = shared_journal_page(request, patient_id, request.GET.get("page"), PAGE_SIZE)
    rows = [(entry, entry_text.details(entry)) for entry in page]
    return render(
        request,
        "clinicians/patients/journal.html",
        {"patient": patient, "page": page, "rows": rows},
    )
