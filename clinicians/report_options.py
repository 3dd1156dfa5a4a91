"""The report's period and paper: what the form and a queued job may ask for (one rule for
both: clinicians.views.report and clinicians.report_jobs), with a clear message for each odd
value and the defaults for what is missing."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clinicians import visits
from recovery.models import User

DEFAULT_DAYS = 28  # no visit yet: the last four weeks (a follow-up comes 3-4 weeks in)
MAX_DAYS = 365  # a year; one more day and the chart would name one date twice
PAPER_SIZES = {"a4": "A4", "letter": "Letter"}


@dataclass(frozen=True)
class ReportOptions:
    start: dt.date
    end: dt.date
    paper: str = "a4"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def page_size(self) -> str:
        return PAPER_SIZES[self.paper]

    def query(self) -> str:
        return f"from={self.start:%Y-%m-%d}&to={self.end:%Y-%m-%d}&paper={self.paper}"


def last_visit_date(patient: User, today: dt.date) -> dt.date | None:
    """The local date of the patient's last follow-up visit held on or before `today`."""
    held = visits.last_held(patient)
    if held is None:
        return None
    day = held.scheduled_for.astimezone(zoneinfo.ZoneInfo(patient.time_zone)).date()
    return day if day <= today else None


def default_options(patient: User, today: dt.date) -> ReportOptions:
    """Since the last visit, or the last DEFAULT_DAYS days."""
    since = last_visit_date(patient, today)
    start = since if since is not None else today - dt.timedelta(days=DEFAULT_DAYS - 1)
    start = max(start, today - dt.timedelta(days=MAX_DAYS - 1))
    return ReportOptions(start=start, end=today)


def _date(raw: str, label: str, errors: list[str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        if label == "start":
            message = _("“%(value)s” is not a date: give the start date as YYYY-MM-DD.")
        else:
            message = _("“%(value)s” is not a date: give the end date as YYYY-MM-DD.")
        errors.append(message % {"value": raw[:20]})
        return None


def parse_options(
    params: Mapping[str, str], patient: User, today: dt.date
) -> tuple[ReportOptions, list[str]]:
    """The period and paper asked for (`from`, `to`, `paper`), with a message for each odd
    value; the defaults fill what is missing. `today` is the patient's local date."""
    default = default_options(patient, today)
    errors: list[str] = []
    raw_from, raw_to = params.get("from", "").strip(), params.get("to", "").strip()
    start = _date(raw_from, "start", errors) if raw_from else default.start
    end = _date(raw_to, "end", errors) if raw_to else default.end
    paper = params.get("paper", "a4").strip().lower() or "a4"
    if paper not in PAPER_SIZES:
        errors.append(_("Choose A4 or Letter paper."))
        paper = "a4"
    if start is not None and end is not None:
        if end > today:
            errors.append(_("The period cannot end after today (%(today)s).") % {
                "today": date_format(today, "j F Y")})
        elif start > end:
            errors.append(_("The period must start on or before its end date."))
        elif (end - start).days + 1 > MAX_DAYS:
            errors.append(_("A report covers at most %(days)s days; choose a shorter period.") % {
                "days": MAX_DAYS})
    if errors:
        return ReportOptions(default.start, default.end, paper), errors
    assert start is not None and end is not None
    return ReportOptions(start, end, paper), []
