"""Programme outcomes for clinicians (their patients) and admins (their clinic): per programme
version and per clinician, the figures of outcomes.statistics, a chart and a CSV download.
Who is counted is clinicians.access.patients_for; the figures are outcomes' pure functions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from clinicians.access import patients_for
from outcomes.charts import pain_free_svg
from outcomes.outcome_data import outcome_rows
from outcomes.statistics import (
    CHANGE_CODES,
    TIMEPOINTS,
    Summary,
    count_text,
    summarise,
    timepoint_label,
)
from programs.models import Enrolment, ProgramVersion
from recovery import audit
from recovery.csvsafe import write_rows
from recovery.decorators import clinician_required
from recovery.http import AuthedHttpRequest
from recovery.models import User


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _enrolments(user: User) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(patient__in=patients_for(user))


def _figures(request: AuthedHttpRequest) -> dict[str, Any]:
    enrolments = _enrolments(request.user)
    versions = list(
        ProgramVersion.objects.filter(pk__in=enrolments.values("version_id"))
        .select_related("program").order_by("program__title", "number")
    )
    clinicians = list(
        User.objects.filter(pk__in=enrolments.values("clinician_id"))
        .select_related("clinician_profile").order_by("email")
    )
    chosen_version = _int(request.GET.get("version"))
    chosen_clinician = _int(request.GET.get("clinician"))
    if chosen_version not in {v.pk for v in versions}:
        chosen_version = None  # junk or someone else's: the whole of what one may see
    if chosen_clinician not in {c.pk for c in clinicians}:
        chosen_clinician = None
    rows = outcome_rows(enrolments, request.user.local_today())
    selected = [
        r for r in rows
        if (chosen_version is None or r.version_id == chosen_version)
        and (chosen_clinician is None or r.clinician_id == chosen_clinician)
    ]

    return {
        "versions": versions,
        "clinicians": clinicians,
        "chosen_version": chosen_version,
        "chosen_clinician": chosen_clinician,
        "summary": summarise(_("Selected patients"), selected),
        "by_version": [
            summarise(str(v), [r for r in selected if r.version_id == v.pk]) for v in versions
            if any(r.version_id == v.pk for r in selected)
        ],
        "by_clinician": [
            summarise(c.display_name, [r for r in selected if r.clinician_id == c.pk])
            for c in clinicians if any(r.clinician_id == c.pk for r in selected)
        ],
        "timepoints": [timepoint_label(t) for t in TIMEPOINTS],
        "change_codes": CHANGE_CODES,
        "count": len(selected),
    }


@clinician_required
def outcomes_page(request: AuthedHttpRequest) -> HttpResponse:
    context = _figures(request)
    context["chart"] = pain_free_svg(context["summary"])
    audit.record(request, "view_programme_outcomes", count=context["count"])
    return render(request, "clinicians/outcomes/index.html", context)


def csv_rows(summaries: list[Summary]) -> list[list[str]]:
    """One line per figure; small cells say "fewer than 5", never a percentage."""
    out = [["group", "measure", "timepoint", "value", "denominator", "lost to follow-up"]]
    for s in summaries:
        c = s.counts
        for name, n in (("enrolled", c.enrolled), ("completed", c.completed),
                        ("withdrawn", c.withdrawn)):
            out.append([s.label, name, "", count_text(n), "", ""])
        for measure, shares in (("pain-free (NRS 0)", s.pain_free),
                                ("pain-free or nearly (NRS <= 1)", s.nearly_pain_free)):
            for t in TIMEPOINTS:
                share = shares[t]
                out.append([s.label, measure, t, share.text, count_text(share.denominator),
                            str(share.lost)])
        for code in CHANGE_CODES:
            for t in TIMEPOINTS:
                change = s.changes[code][t]
                out.append([s.label, f"mean change in {code} from baseline", t, change.text,
                            count_text(change.n), ""])
        out.append([s.label, "response rate", "", s.response.text,
                    count_text(s.response.denominator), ""])
    return out


@clinician_required
def outcomes_csv(request: AuthedHttpRequest) -> HttpResponse:
    # A dataset, not a page: the same English column names, measures and timepoints whatever
    # the reader's language, so files from several clinics and months line up in analysis.
    with translation.override("en"):
        return _outcomes_csv(request)


def _outcomes_csv(request: AuthedHttpRequest) -> HttpResponse:
    context = _figures(request)
    audit.record(request, "export_programme_outcomes", count=context["count"])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="programme-outcomes.csv"'
    # Labels are people's names and programme titles: neutralised against formulas.
    write_rows(response, csv_rows([context["summary"], *context["by_version"],
                                   *context["by_clinician"]]))
    return response
