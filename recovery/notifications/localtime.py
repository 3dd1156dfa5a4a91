"""Local wall-clock times to UTC instants, daylight-saving days included.

A reminder at 02:30 on the spring-forward day (02:00 -> 03:00) goes at 03:00, the first
instant whose wall clock has reached 02:30; a reminder at 01:30 on the fall-back day (which
shows 01:30 twice) goes once, at the first occurrence. The ledger's slot (the local date)
makes the second occurrence a duplicate anyway; this makes the *time* right.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

UTC = dt.UTC


@lru_cache(maxsize=4096)
def local_instant(day: dt.date, at: dt.time, zone: str) -> dt.datetime:
    """The UTC instant at which `zone`'s wall clock first reads `at` on `day`."""
    tz = zoneinfo.ZoneInfo(zone)
    naive = dt.datetime.combine(day, at)
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)  # fold=0: first occurrence
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first
    # `at` falls in a gap: the answer is the transition, the first instant whose wall
    # clock is past `at`. Wall time is monotone between these bounds: bisect on seconds.
    lo = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)  # wall clock before `at`
    hi = first  # wall clock after `at`
    while (hi - lo) > dt.timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0)


@dataclass(frozen=True)
class LocalRange:
    """Wall-clock times `lo`..`hi` (inclusive) on `day` in `zone` that may fall due in a window
    (a superset: callers compute each candidate's exact instant with local_instant)."""

    zone: str
    day: dt.date
    lo: dt.time
    hi: dt.time


# A window that touches a DST transition is widened by the jump so gap times are found.
_MAX_JUMP = dt.timedelta(hours=2)


def local_ranges(start: dt.datetime, end: dt.datetime, zones: Iterable[str]) -> list[LocalRange]:
    """For each zone, the local dates and wall-time ranges that [start, end] (UTC) covers."""
    ranges: list[LocalRange] = []
    for zone in sorted(set(zones)):
        tz = zoneinfo.ZoneInfo(zone)
        lo_naive = start.astimezone(tz).replace(tzinfo=None)
        hi_naive = end.astimezone(tz).replace(tzinfo=None)
        if (start - _MAX_JUMP).astimezone(tz).utcoffset() != end.astimezone(tz).utcoffset():
            # A transition in (or just before) the window: its wall clock jumps or runs
            # backwards; widen to a superset and let the exact instants decide.
            lo_naive, hi_naive = (
                min(lo_naive, hi_naive) - _MAX_JUMP,
                max(lo_naive, hi_naive) + _MAX_JUMP,
            )
        day = lo_naive.date()
        while day <= hi_naive.date():
            first = lo_naive.time() if day == lo_naive.date() else dt.time.min
            last = hi_naive.time() if day == hi_naive.date() else dt.time.max
            ranges.append(LocalRange(zone, day, first, last))
            day += dt.timedelta(days=1)
    return ranges


def in_window(due: dt.datetime, start: dt.datetime, end: dt.datetime) -> bool:
    return start <= due <= end
