"""The patient's History: a month calendar, a day or week timeline, and trend charts.

Only the patient sees it (a clinician reads a patient through the clinic's review pages).
Dates are the patient's local dates. A fixed number of queries, whatever the data: the
calendar reads its month only, the trend chart its period only, and one adherence chart is
drawn (the current programme's); earlier programmes' charts load on request, one at a time.
Charts are cached by their inputs (journaling.chart_cache).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from journaling import chart_cache, progress
from journaling.dates import date_window, parse_day, parse_month, zone_label
from recovery import page_cache
from recovery.access import get_own_or_404
from recovery.decorators import patient_required
from recovery.http import AuthedHttpRequest

CHART_PERIODS = (30, 90)


def _shift_month(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_of_week(week: dt.date, month: dt.date | None) -> dt.date:
    """The month whose calendar frames the week starting `week`: the month the patient was
    looking at when its grid holds that week (a week across two months stays where it was
    opened), otherwise the month of the week's Thursday (most of its days)."""
    if month is not None:
        first, last = progress.grid_span(progress.month_weeks(month.year, month.month))
        if first <= week <= last:
            return month
    return (week + dt.timedelta(days=3)).replace(day=1)


class Selection:
    """What the query string asks for: a month, a day or a week, a chart period.

    These are bookmarkable links: a value that is not a date, or a date outside the window
    of `journaling.dates`, shows this month with a message saying so, never an error page.
    """

    def __init__(self, params: Any, today: dt.date) -> None:
        self.today = today
        self.first, self.last = date_window(today)
        self.days = int(params["days"]) if params.get("days") in ("30", "90") else 30
        day, week, month = (
            parse_day(params.get("day"), today),
            parse_day(params.get("week"), today),
            parse_month(params.get("month"), today),
        )
        self.errors = [p.error for p in (day, week, month) if p.error]
        self.day: dt.date | None = None
        self.week: dt.date | None = None
        if self.errors:
            self.month = today.replace(day=1)
            self.day = today
        elif day.value:
            self.day = day.value
            self.month = day.value.replace(day=1)
        elif week.value:
            self.week = progress.week_start(week.value)
            self.month = _month_of_week(self.week, month.value)
        else:
            self.month = month.value or today.replace(day=1)
            if self.month == today.replace(day=1):
                self.day = today  # this month: start on today's timeline

    def url(
        self,
        day: dt.date | None = None,
        week: dt.date | None = None,
        month: dt.date | None = None,
        days: int | None = None,
    ) -> str:
        """The address of another view; what is not named stays as it is."""
        params: dict[str, Any] = {}
        if not (day or week or month):
            day, week, month = self.day, self.week, self.month
        if day:
            params["day"] = day.isoformat()
        elif week:
            # The month on screen goes along: the week's calendar stays the one it came from.
            params["week"] = week.isoformat()
            params["month"] = f"{month or self.month:%Y-%m}"
        elif month:
            params["month"] = f"{month:%Y-%m}"
        days = days or self.days
        if days != 30:
            params["days"] = days
        return "?" + urlencode(params)

    def month_url(self, months: int) -> str | None:
        month = _shift_month(self.month, months)
        if month < self.first.replace(day=1) or month > self.last:
            return None
        return self.url(month=month)

    def day_url(self, days: int) -> str | None:
        assert self.day is not None
        day = self.day + dt.timedelta(days=days)
        return self.url(day=day) if self.first <= day <= self.last else None

    def week_url(self, week: dt.date) -> str | None:
        """The week starting `week`, if any of its days is inside the window."""
        if week + dt.timedelta(days=6) < self.first or week > self.last:
            return None
        return self.url(week=max(week, self.first))  # the page finds the Monday again

    @property
    def timeline_dates(self) -> list[dt.date]:
        if self.day:
            return [self.day]
        if self.week:
            return [self.week + dt.timedelta(days=i) for i in range(7)]
        return []


def _timeline_title(sel: Selection) -> str:
    if sel.day:
        return _("Today") if sel.day == sel.today else date_format(sel.day, "l j F Y")
    if sel.week:
        end = sel.week + dt.timedelta(days=6)
        return _("Week of %(start)s – %(end)s") % {
            "start": date_format(sel.week, "j F"), "end": date_format(end, "j F Y")}
    return ""


@patient_required
@require_GET
@vary_on_headers("HX-Request")
def index(request: AuthedHttpRequest) -> HttpResponse:
    today = request.user.local_today()
    # Looked at again and again (by month, day, week, period): served from the cache until
    # the patient's data changes or the local date turns (recovery.page_cache).
    response, _meta = page_cache.serve(request, [today], lambda: _history(request, today))
    return response


def _history(request: AuthedHttpRequest, today: dt.date) -> page_cache.Page:
    patient = request.user
    sel = Selection(request.GET, today)

    grid = progress.month_weeks(sel.month.year, sel.month.month)
    activity = progress.activity_between(patient, *progress.grid_span(grid))
    chart_start = today - dt.timedelta(days=sel.days - 1)
    trend = chart_cache.trend(patient, chart_start, today)
    programmes = list(chart_cache.started_programmes(patient, today))
    current = chart_cache.current_programme(programmes)
    context = {
        "sel": sel,
        "today": today,
        "month_weeks": [[activity[d] for d in week] for week in grid],
        "prev_url": sel.month_url(-1),
        "next_url": sel.month_url(1),
        "prev_month": _shift_month(sel.month, -1),
        "next_month": _shift_month(sel.month, 1),
        "timeline_title": _timeline_title(sel),
        "timeline_days": [activity[d] for d in sel.timeline_dates],  # in the month's grid
        "time_zone": patient.time_zone,
        "zone_label": zone_label(patient.time_zone),
        "chart_periods": [(n, sel.url(days=n)) for n in CHART_PERIODS],
        "trend_svg": trend.svg,
        "trend_summary": trend.summary,
        "points": trend.points,
        "current": current,
        "adherence": chart_cache.adherence(patient, current, today) if current else None,
        "earlier": [e for e in programmes if e != current],
    }
    if sel.day:
        context["day_links"] = {
            "prev": sel.day_url(-1),
            "next": sel.day_url(1) if sel.day < today else None,
            "week": sel.week_url(progress.week_start(sel.day)),
        }
    if sel.week:
        context["week_links"] = {
            "prev": sel.week_url(sel.week - dt.timedelta(days=7)),
            "next": sel.week_url(sel.week + dt.timedelta(days=7)),
        }
    template = "journaling/history/_body.html" if request.htmx else "journaling/history/index.html"
    return page_cache.Page(template, context)


@patient_required
@require_GET
@vary_on_headers("HX-Request")
def programme(request: AuthedHttpRequest, enrolment_id: int) -> HttpResponse:
    """One programme's weekly adherence chart: History loads it into its page on request
    (htmx); without JavaScript the link opens it on a page of its own."""
    patient = request.user
    today = patient.local_today()
    enrolment = get_own_or_404(chart_cache.started_programmes(patient, today), patient, pk=enrolment_id)
    context = {
        "enrolment": enrolment,
        "adherence": chart_cache.adherence(patient, enrolment, today),
    }
    template = (
        "journaling/history/_adherence.html" if request.htmx else "journaling/history/programme.html"
    )
    return render(request, template, context)
