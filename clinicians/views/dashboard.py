"""/clinic/: the caseload, the one page listing a clinician's patients (clinicians.caseload
builds it; who is in it is clinicians.access'). Filters are a plain GET form; with htmx only
the results are swapped in, and the address follows, so a reload or a shared link shows the
same list."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from clinicians import caseload, flags, visits
from clinicians.access import patients_for
from recovery import audit
from recovery.decorators import clinician_required
from recovery.http import AuthedHttpRequest


@clinician_required
@vary_on_headers("HX-Request")
def index(request: AuthedHttpRequest) -> HttpResponse:
    now = timezone.now()
    f = caseload.Filters.from_query(request.GET)
    page = caseload.caseload(request.user, f, now)
    audit.record(
        request, "view_caseload", count=len(page.rows), patients=[r.patient.pk for r in page.rows]
    )
    context = {
        "c": page,
        "f": f,
        "sorts": caseload.SORTS,
        "flag_choices": flags.CHOICES,
        "zone_label": page.zone.key.replace("_", " "),
        "now": now,
    }
    if request.htmx and request.htmx.target == "caseload-results":
        return render(request, "clinicians/patients/_caseload.html", context)
    context["upcoming"] = visits.upcoming(patients_for(request.user), now)
    return render(request, "clinicians/dashboard.html", context)
