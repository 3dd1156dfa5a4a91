from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clinicians.access import patients_for
from journaling.models import CheckIn
from programs.models import Enrolment
from programs.schedule import plan_for, prefetch_for_plan
from recovery import audit
from recovery.decorators import clinician_required


@clinician_required
def index(request: HttpRequest) -> HttpResponse:
    """The caseload at a glance: where each patient is, their last check-in, shared entries."""
    user = request.user
    last = CheckIn.objects.filter(patient=OuterRef("pk")).order_by("-local_date")
    open_enrolments = prefetch_for_plan(
        Enrolment.objects.filter(status__in=["active", "paused"])
    )
    patients = (
        patients_for(user)
        .select_related("patient_profile")
        .annotate(
            last_checkin_date=Subquery(last.values("local_date")[:1]),
            last_pain=Subquery(last.values("pain")[:1]),
            shared_count=Count(
                "journal_entries",
                filter=Q(journal_entries__visibility="care_team", journal_entries__status="saved"),
                distinct=True,
            ),
        )
        .prefetch_related(Prefetch("enrolments", queryset=open_enrolments, to_attr="open_enrolments"))
        .order_by("patient_profile__display_name", "email")
    )
    rows = []
    for patient in patients:
        today = patient.local_today()
        plans = [plan_for(e, today) for e in patient.open_enrolments]
        rows.append({"patient": patient, "plans": plans})
    audit.record(request, "view_caseload", count=len(rows))
    return render(request, "clinicians/dashboard.html", {"rows": rows})
