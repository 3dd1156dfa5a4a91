"""/clinic/: the caseload, the one page listing a clinician's patients (clinicians.caseload
builds it; who is in it is clinicians.access'). Filters are a plain GET form; with htmx only
the results are swapped in, and the address follows, so a reload or a shared link shows the
same list.

The rendering is kept (recovery.page_cache) while nothing it shows has changed: the key holds
the caseload's data stamps and the time (clinicians.caseload_stamp). The read is audited on
every request, kept copy or not, with the patients the page lists."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from clinicians import caseload, caseload_rows, caseload_stamp, flags, visits
from clinicians.access import patients_for
from recovery import audit, page_cache
from recovery.decorators import clinician_required
from recovery.http import AuthedHttpRequest

WEEK = dt.timedelta(days=7)  # visits.upcoming lists a visit not yet recorded for a week


@clinician_required
@vary_on_headers("HX-Request")
def index(request: AuthedHttpRequest) -> HttpResponse:
    now = timezone.now()
    f = caseload.Filters.from_query(request.GET)
    results_only = bool(request.htmx and request.htmx.target == "caseload-results")

    def build() -> page_cache.Page:
        page = caseload.page_of(request.user, f, now)
        page.html = caseload_rows.render(page, request.user.clinic_id, now)
        context = {
            "c": page,
            "f": f,
            "sorts": caseload.SORTS,
            "flag_choices": flags.CHOICES,
            "zone_label": page.zone.key.replace("_", " "),
            "now": now,
        }
        # When the flags or the list would change with time alone: a visit's time passing,
        # one entering the "due soon" window, one leaving the list a week after its time.
        moments = caseload_stamp.visit_moments(
            p.next_visit_at for p in page.listed if p.next_visit_at is not None
        )
        template = "clinicians/patients/_caseload.html"
        if not results_only:
            context["upcoming"] = upcoming = visits.upcoming(patients_for(request.user), now)
            moments += [t for v in upcoming for t in (v.scheduled_for, v.scheduled_for + WEEK)]
            template = "clinicians/dashboard.html"
        return page_cache.Page(
            template,
            context,
            meta={"patients": [p.pk for p in page.listed]},
            ttl=caseload_stamp.ttl(now, moments),
        )

    response, meta = page_cache.serve(request, caseload_stamp.parts(request.user, now), build)
    patients = meta["patients"]
    audit.record(request, "view_caseload", count=len(patients), patients=patients)
    return response
