"""The patient's History: a month calendar, a day or week timeline, and trend charts.

Only the patient sees it (a clinician reads a patient through the clinic's review pages).
Dates are the patient's local dates. A fixed number of queries, whatever the data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from journaling import charts, progress
from recovery.decorators import patient_required

CHART_PERIODS = (30, 90)


class HtmxRequest(HttpRequest):
    htmx: HtmxDetails  # set by django_htmx's middleware


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _parse_month(value: str | None) -> dt.date | None:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date() if value else None
    except ValueError:
        return None


def _shift_month(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


class Selection:
    """What the query string asks for: a month, a day or a week, a chart period.

    Bad values fall back to the defaults instead of failing: these are bookmarkable links.
    """

    def __init__(self, params: Any, today: dt.date) -> None:
        self.today = today
        self.days = int(params.get("days")) if params.get("days") in ("30", "90") else 30
        self.day = _parse_date(params.get("day"))
        week = _parse_date(params.get("week"))
        self.week = progress.week_start(week) if week and not self.day else None
        month = _parse_month(params.get("month"))
        if self.day or self.week:
            month = (self.day or self.week or today).replace(day=1)
        elif month is None or month == today.replace(day=1):
            month = today.replace(day=1)
            self.day = today  # this month: start on today's timeline
        self.month = month

    def url(self, **changes: Any) -> str:
        params: dict[str, Any] = {}
        if "day" in changes or "week" in changes:
            params.update({k: v for k, v in changes.items() if k in ("day", "week") and v})
        elif "month" in changes:
            params["month"] = changes["month"]
        elif self.day:
            params["day"] = self.day.isoformat()
        elif self.week:
            params["week"] = self.week.isoformat()
        else:
            params["month"] = f"{self.month:%Y-%m}"
        days = changes.get("days", self.days)
        if days != 30:
            params["days"] = days
        return "?" + urlencode(params)

    @property
    def timeline_dates(self) -> list[dt.date]:
        if self.day:
            return [self.day]
        if self.week:
            return [self.week + dt.timedelta(days=i) for i in range(7)]
        return []


def _timeline_title(sel: Selection) -> str:
    if sel.day:
        return "Today" if sel.day == sel.today else f"{sel.day:%A} {sel.day.day} {sel.day:%B %Y}"
    if sel.week:
        end = sel.week + dt.timedelta(days=6)
        return f"Week of {sel.week.day} {sel.week:%B} – {end.day} {end:%B %Y}"
    return ""


@patient_required
@vary_on_headers("HX-Request")
def index(request: HtmxRequest) -> HttpResponse:
    patient = request.user
    today = patient.local_today()
    sel = Selection(request.GET, today)

    grid = progress.month_weeks(sel.month.year, sel.month.month)
    activity = progress.activity_between(patient, *progress.grid_span(grid))
    chart_start = today - dt.timedelta(days=sel.days - 1)
    points = progress.score_points(patient, chart_start, today)
    adherence = [
        {
            "enrolment": enrolment,
            "weeks": weeks,
            "svg": charts.adherence_svg(weeks),
            "summary": charts.adherence_summary(weeks),
        }
        for enrolment, weeks in progress.adherence_by_enrolment(patient, today)
    ]
    prev_month = _shift_month(sel.month, -1)
    next_month = _shift_month(sel.month, 1)
    context = {
        "sel": sel,
        "today": today,
        "month_weeks": [[activity[d] for d in week] for week in grid],
        "prev_url": sel.url(month=f"{prev_month:%Y-%m}"),
        "next_url": sel.url(month=f"{next_month:%Y-%m}"),
        "prev_month": prev_month,
        "next_month": next_month,
        "timeline_title": _timeline_title(sel),
        "timeline_days": [activity[d] for d in sel.timeline_dates],
        "time_zone": patient.time_zone,
        "chart_periods": [(n, sel.url(days=n)) for n in CHART_PERIODS],
        "trend_svg": charts.trend_svg(points, chart_start, today),
        "trend_summary": charts.trend_summary(points),
        "points": points,
        "adherence": adherence,
    }
    if sel.day:
        context["day_links"] = {
            "prev": sel.url(day=(sel.day - dt.timedelta(days=1)).isoformat()),
            "next": sel.url(day=(sel.day + dt.timedelta(days=1)).isoformat()),
            "week": sel.url(week=progress.week_start(sel.day).isoformat()),
        }
    if sel.week:
        context["week_links"] = {
            "prev": sel.url(week=(sel.week - dt.timedelta(days=7)).isoformat()),
            "next": sel.url(week=(sel.week + dt.timedelta(days=7)).isoformat()),
        }
    template = "journaling/history/_body.html" if request.htmx else "journaling/history/index.html"
    return render(request, template, context)
