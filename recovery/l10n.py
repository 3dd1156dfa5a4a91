"""Dates written for people, in the active language: "1 December 2026" in English,
"1 de diciembre de 2026" in Spanish. Python code that builds a sentence with a date calls
these instead of strftime (whose %B is always English); templates use the same names with
|date ({{ day|date:"WEEKDAY_DAY" }}). The formats themselves are in recovery/formats/<lang>/.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.formats import date_format

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def long_date(day: dt.date) -> str:
    """1 December 2026 / 1 de diciembre de 2026."""
    return date_format(day, "LONG_DATE")


def weekday_long_date(day: dt.date) -> str:
    """Tuesday 1 December 2026 / martes 1 de diciembre de 2026."""
    return date_format(day, "WEEKDAY_LONG_DATE")


def weekday_day(day: dt.date) -> str:
    """Tuesday 1 December / martes 1 de diciembre."""
    return date_format(day, "WEEKDAY_DAY")


def short_day(day: dt.date) -> str:
    """1 Dec / 1 dic (chart axes)."""
    return date_format(day, "SHORT_DAY")


def month_year(day: dt.date) -> str:
    """December 2026 / diciembre de 2026."""
    return date_format(day, "MONTH_YEAR")


def iso_day_as_text(value: object) -> object:
    """A stored "2026-12-01" (e.g. in a reminder's JSON context) as weekday_day; anything
    else unchanged. Lets a message be written at sending time in its reader's language."""
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        try:
            return weekday_day(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return value
