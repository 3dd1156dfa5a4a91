"""What a cached rendering of the caseload page (/clinic/) is keyed by, besides its reader and
address (recovery.page_cache): everything the page shows that could change.

- The patients' own records: one query sums the `data_stamp` of every patient of the care team
  (recovery.freshness gives a patient a new one on every write to their check-ins, entries,
  enrolments, cohorts, questionnaires, alerts, care team, visits, name and address), with
  their count and the sum of their ids, so a patient joining or leaving the caseload changes
  the key as surely as a check-in does.
- Time: every patient's "today" (their own zone's date) and the flags counted in days. Every
  UTC offset in use is a whole number of quarter hours, so no local date anywhere changes
  inside a quarter hour of UTC: the quarter hour is in the key. What turns on the minute (a
  visit's time passing: "to record", "not recorded as done") is bounded by the page's ttl.
- The flags' thresholds (settings), so a deployment that changes them never serves a copy
  made with the old ones.

The sums, not a hash of every stamp: they are computed by the database in one pass, on
SQLite and PostgreSQL alike. A stamp is below 2**62 (recovery.freshness.new_stamp); it is
summed as its low 31 bits and its high 31 bits, each sum below 2**31 per patient, so a
caseload of up to 2**32 patients stays inside a 64-bit integer (SQLite raises on overflow).
One patient's new stamp changes the sums unless it equals the old one (odds 2**-62).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F

from recovery.models import User

from . import flags
from .access import patients_for

QUARTER_HOUR = 15 * 60
LOW_BITS = 31
TTL = 60  # seconds: a visit whose time passes shows as "to record" within a minute


def patients_stamp(user: User) -> list[int]:
    """[count, sum of ids, sum of low stamp bits, sum of high stamp bits] of the caseload
    (one query)."""
    compiled = _compiled(user)
    if compiled is None:
        return [0, 0, 0, 0]
    sql, params = compiled
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    # PostgreSQL sums bigints as numeric (a Decimal here); empty sums are NULL.
    return [int(value or 0) for value in row]


# The stamp's SQL per (user, role, clinic): who is in the caseload is clinicians.access'
# queryset, compiled once per process rather than on every request (compiling it cost more
# than running it). The care team is read when the SQL runs, so the SQL itself never changes
# while these three do not.
_SQL: dict[tuple[int, str, int | None], tuple[str, tuple[Any, ...]] | None] = {}
_SQL_LIMIT = 2000


def _compiled(user: User) -> tuple[str, tuple[Any, ...]] | None:
    key = (user.pk, user.role, user.clinic_id)
    if key not in _SQL:
        if len(_SQL) >= _SQL_LIMIT:
            _SQL.clear()
        try:
            inner, params = (
                patients_for(user)
                .order_by()
                .values(stamp_id=F("pk"), stamp=F("data_stamp"))
                .query.sql_with_params()
            )
        except EmptyResultSet:  # nobody: no clinic, or not staff
            _SQL[key] = None
        else:
            low = (1 << LOW_BITS) - 1
            # A derived table over the access queryset's rows, its columns named here; the
            # values compared stay parameters (the only text added is these constants).
            sql = (
                f"SELECT COUNT(*), SUM(t.stamp_id), SUM(t.stamp & {low}), "  # noqa: S608
                f"SUM(t.stamp >> {LOW_BITS}) FROM ({inner}) t"
            )
            _SQL[key] = (sql, tuple(params))
    return _SQL[key]


def clock(now: dt.datetime) -> list[Any]:
    """What time and the settings change on a caseload page or row: the quarter hour (every
    local date and day count) and the flags' thresholds."""
    return [int(now.timestamp()) // QUARTER_HOUR, flags.thresholds()]


def parts(user: User, now: dt.datetime) -> list[Any]:
    """The key parts page_cache.serve adds to the reader, language and address."""
    return ["caseload", patients_stamp(user), *clock(now)]


def visit_moments(visit_times: Iterable[dt.datetime]) -> list[dt.datetime]:
    """When a follow-up flag changes with time alone: each visit's time entering the "due
    soon" window (clinicians.flags.follow_up_due) and its time passing ("to record")."""
    window = flags.follow_up_window()
    return [moment for at in visit_times for moment in (at - window, at)]


def ttl(now: dt.datetime, moments: Iterable[dt.datetime], longest: int = TTL) -> int:
    """How long a rendering may be kept: `longest`, or less when one of the visit times shown
    (`moments`) passes sooner, so "to record" shows on time."""
    seconds = float(longest)
    for moment in moments:
        if moment > now:
            seconds = min(seconds, (moment - now).total_seconds())
    return max(1, int(seconds))
