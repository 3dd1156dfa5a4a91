"""Dates a patient types or bookmarks, read safely: one window of sane dates, the parsers
that honour it, and the one spelling of a time-zone label.

Python's dates end at years 1 and 9999, so "the day before 0001-01-01" raises instead of
answering; a date far outside anyone's programme means nothing to show anyway. Every page
that reads a date from a form or an address goes through `date_window` (History today; the
journal's date, pauses and visit dates can use the same rule). It lives in journaling
because the core app belongs to another change; it imports nothing but the standard library,
so it can move down to recovery/ unchanged.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

# Years before and after the patient's today that a date input accepts. Ten years back
# covers any programme history; two years ahead covers any planned pause or visit.
YEARS_BACK = 10
YEARS_AHEAD = 2

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_MONTH = re.compile(r"\d{4}-\d{2}", re.ASCII)


def date_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """First and last date (inclusive) a patient's date input may name, around `today` (their
    local date): from 1 January ten years back to 31 December two years ahead."""
    return dt.date(today.year - YEARS_BACK, 1, 1), dt.date(today.year + YEARS_AHEAD, 12, 31)


def in_window(day: dt.date, today: dt.date) -> bool:
    first, last = date_window(today)
    return first <= day <= last


def window_text(today: dt.date) -> str:
    first, last = date_window(today)
    return _("%(first)s to %(last)s") % {
        "first": date_format(first, "F Y"), "last": date_format(last, "F Y")}


@dataclass(frozen=True)
class ParsedDate:
    """A date read from user input: `value` when usable, else `error` says why (in words
    a patient can act on); both empty when nothing was given."""

    value: dt.date | None = None
    error: str = ""


def parse_day(value: str | None, today: dt.date) -> ParsedDate:
    """A YYYY-MM-DD date inside the window, or a message."""
    if not value:
        return ParsedDate()
    try:
        day = dt.date.fromisoformat(value) if _DAY.fullmatch(value) else None
    except ValueError:  # 2026-02-30
        day = None
    if day is None:
        return ParsedDate(error=_("That is not a date we can read (the address should say e.g. 2026-03-14)."))
    if not in_window(day, today):
        return ParsedDate(error=_("That date is too far away: choose one from %(window)s.") % {"window": window_text(today)})
    return ParsedDate(day)


def parse_month(value: str | None, today: dt.date) -> ParsedDate:
    """A YYYY-MM month inside the window (as its first day), or a message."""
    if not value:
        return ParsedDate()
    try:
        if not _MONTH.fullmatch(value):
            raise ValueError(value)
        first = dt.date(int(value[:4]), int(value[5:]), 1)
    except ValueError:  # abc, 2026-13
        return ParsedDate(error=_("That is not a month we can read (the address should say e.g. 2026-03)."))
    if not in_window(first, today):
        return ParsedDate(error=_("That month is too far away: choose one from %(window)s.") % {"window": window_text(today)})
    return ParsedDate(first)


def zone_label(name: str) -> str:
    """How a time zone is shown to people: "America/New York", as in the profile form's
    choices (the IANA name with spaces for underscores)."""
    return name.replace("_", " ")
