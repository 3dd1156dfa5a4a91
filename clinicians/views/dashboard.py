from __future__ import annotations

from django.db.models import OuterRef, Prefetch, Subquery
from django.http import HttpResponse
from django.shortcuts import render

from clinicians.access import patients_for, with_shared_count
from journaling.models import CheckIn
from programs.models import Enrolment
from programs.schedule import plan_for, prefetch_for_plan
from recovery import audit
from recovery.decorators import clinician_required
from recovery.http import AuthedHttpRequest


@clinician_required
def index(request: AuthedHttpRequest) -> HttpResponse:
    """The caseload at a glance: where each patient is, their last check-in, shared entries."""
    last = CheckIn.objects.filter(patient=OuterRef("pk")).order_by("-local_date")
    open_enrolments = prefetch_for_plan(Enrolment.objects.open())
    patients = (
        with_shared_count(patients_for(request.user))
        .select_related("patient_profile")
        .annotate(
            last_checkin_date=Subquery(last.values("local_date")[:1]),
            last_pain=Subquery(last.values("pain")[:1]),
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
