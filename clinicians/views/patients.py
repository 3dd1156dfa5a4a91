"""The clinician's patients: a minimal list, and the journal entries a patient shared.
Access is decided only by clinicians.access; every read is written to the audit trail."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clinicians.access import get_patient_for, patients_for
from journaling import entries
from journaling.models import JournalEntry
from recovery import audit
from recovery.decorators import clinician_required

PAGE_SIZE = 20

# What a clinician may read of a journal: saved entries the patient shared. Never private
# entries, never drafts (even of an entry marked to share), never anything released.
SHARED = Q(visibility=JournalEntry.Visibility.CARE_TEAM, status=JournalEntry.Status.SAVED)


@clinician_required
def patient_list(request: HttpRequest) -> HttpResponse:
    patients = list(
        patients_for(request.user)
        .select_related("patient_profile")
        .annotate(
            shared_count=Count(
                "journal_entries",
                filter=Q(
                    journal_entries__visibility=JournalEntry.Visibility.CARE_TEAM,
                    journal_entries__status=JournalEntry.Status.SAVED,
                ),
                distinct=True,
            )
        )
        .order_by("patient_profile__display_name", "email")
    )
    audit.record(request, "view_patient_list", count=len(patients))
    return render(request, "clinicians/patients/list.html", {"patients": patients})


@clinician_required
def patient_journal(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id)
    shared = (
        JournalEntry.objects.filter(SHARED, patient=patient)
        .select_related("exercise")
        .order_by("-local_date", "-created_at", "-pk")
    )
    page = Paginator(shared, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(entry, entries.details(entry)) for entry in page]
    audit.record(
        request,
        "view_shared_journal",
        patient=patient,
        entries=[entry.pk for entry, _ in rows],
        page=page.number,
    )
    return render(
        request,
        "clinicians/patients/journal.html",
        {"patient": patient, "page": page, "rows": rows},
    )
