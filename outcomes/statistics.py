"""Programme outcome statistics as pure functions on plain data (tested on a synthetic cohort).

Each enrolment becomes an `EnrolmentOutcome`: its status and, for each scheduled measurement
point (instrument, timepoint), whether it has opened, closed and what the patient scored. The
figures a clinic compares with the seeds' (seed 000: 72% free or nearly free of pain; seed 004:
64% completely pain-free 6 months after the programme):
- pain-free (NRS 0) and pain-free or nearly (NRS <= 1) at the end and 3, 6, 12 months after,
  among those who answered, with the number lost to follow-up (the window closed unanswered);
- mean change from baseline with a 95% confidence interval (t distribution, paired);
- response rates (answered / due, counting only windows that closed or were answered).
Small cells: a count under 5 is shown as "fewer than 5" and no percentage or mean is given.
The texts are in the active language (the page's); the CSV export asks for English.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from scipy import stats

SMALL = 5
TIMEPOINTS = ("end", "3 months", "6 months", "12 months")
CHANGE_CODES = ("PEG-3", "PHQ-9", "GAD-7", "PCS", "RMDQ")
PAIN = "NRS"

Point = tuple[str, str]  # (instrument code, timepoint): ("NRS", "6 months")


@dataclass(frozen=True)
class EnrolmentOutcome:
    enrolment_id: int
    version_id: int
    clinician_id: int
    status: str  # active / paused / completed / withdrawn
    scores: dict[Point, float | None] = field(default_factory=dict)  # answered points
    due: frozenset[Point] = frozenset()  # points whose window has opened
    closed: frozenset[Point] = frozenset()  # points whose window has closed


def small(n: int) -> bool:
    return n < SMALL


def count_text(n: int) -> str:
    return _("fewer than 5") if small(n) else str(n)


def timepoint_label(timepoint: str) -> str:
    """One of TIMEPOINTS as the page names it: "End", "3 months" (after the end), in the
    active language."""
    if timepoint == "end":
        return _("End")
    months = int(timepoint.split()[0])
    return ngettext("%(n)s month", "%(n)s months", months) % {"n": months}


def _signed(value: float) -> str:
    """One decimal, with its sign, in the language's notation: +1.5, -2.0 (+1,5 in Spanish)."""
    # number_format cuts digits off; round first, as f"{value:+.1f}" did.
    return ("+" if value >= 0 else "-") + number_format(f"{abs(value):.1f}", 1)


@dataclass(frozen=True)
class Share:
    numerator: int
    denominator: int
    lost: int = 0  # lost to follow-up (outside the denominator)

    @property
    def suppressed(self) -> bool:
        return small(self.numerator) or small(self.denominator)

    @property
    def percent(self) -> float | None:
        if self.suppressed or not self.denominator:
            return None
        return 100 * self.numerator / self.denominator

    @property
    def text(self) -> str:
        if self.suppressed:
            if small(self.denominator):
                return _("fewer than 5 answered")
            return _("fewer than 5 of %(total)s") % {"total": self.denominator}
        return _("%(part)s of %(total)s (%(percent)s%%)") % {
            "part": self.numerator, "total": self.denominator,
            "percent": number_format(f"{self.percent or 0:.0f}", 0),
        }


@dataclass(frozen=True)
class Change:
    """Mean change (later minus baseline) in the patients measured at both points."""

    n: int
    mean: float | None
    low: float | None
    high: float | None

    @property
    def suppressed(self) -> bool:
        return small(self.n)

    @property
    def text(self) -> str:
        if self.suppressed or self.mean is None:
            return _("fewer than 5 measured")
        if self.low is None or self.high is None:
            return _("%(mean)s (n = %(n)s)") % {"mean": _signed(self.mean), "n": self.n}
        return _("%(mean)s (95%% CI %(low)s to %(high)s; n = %(n)s)") % {
            "mean": _signed(self.mean), "low": _signed(self.low), "high": _signed(self.high),
            "n": self.n,
        }


@dataclass(frozen=True)
class Counts:
    enrolled: int
    completed: int
    withdrawn: int

    @property
    def text(self) -> dict[str, str]:
        return {k: count_text(getattr(self, k)) for k in ("enrolled", "completed", "withdrawn")}


def counts(rows: Iterable[EnrolmentOutcome]) -> Counts:
    rows = list(rows)
    return Counts(
        enrolled=len(rows),
        completed=sum(r.status == "completed" for r in rows),
        withdrawn=sum(r.status == "withdrawn" for r in rows),
    )


def pain_free(rows: Iterable[EnrolmentOutcome], timepoint: str, at_most: float = 0) -> Share:
    """Among those who answered the NRS at `timepoint`, how many scored <= `at_most` (0: free
    of pain; 1: free or nearly); `lost` counts those whose window closed unanswered."""
    point = (PAIN, timepoint)
    answered = [r.scores[point] for r in rows if r.scores.get(point) is not None]
    lost = sum(1 for r in rows if point in r.closed and r.scores.get(point) is None)
    return Share(sum(1 for s in answered if s is not None and s <= at_most), len(answered), lost)


def mean_ci(values: Sequence[float], confidence: float = 0.95) -> Change:
    """Mean and t-based confidence interval of `values`."""
    n = len(values)
    if n == 0:
        return Change(0, None, None, None)
    mean = sum(values) / n
    if n < 2:
        return Change(n, mean, None, None)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = float(stats.t.ppf((1 + confidence) / 2, n - 1)) * sd / math.sqrt(n)
    return Change(n, mean, mean - half, mean + half)


def mean_change(rows: Iterable[EnrolmentOutcome], code: str, timepoint: str) -> Change:
    base, later = (code, "baseline"), (code, timepoint)
    diffs = [
        float(r.scores[later]) - float(r.scores[base])  # type: ignore[arg-type]
        for r in rows
        if r.scores.get(base) is not None and r.scores.get(later) is not None
    ]
    return mean_ci(diffs)


def response_rate(rows: Iterable[EnrolmentOutcome], code: str | None = None) -> Share:
    """Answered / due among the points whose window closed or that were answered."""
    due = answered = 0
    for r in rows:
        for point in r.due:
            if code is not None and point[0] != code:
                continue
            done = point in r.scores
            if done or point in r.closed:
                due += 1
                answered += done
    return Share(answered, due)


@dataclass(frozen=True)
class Summary:
    """Every figure of the outcomes page for one group of enrolments."""

    label: str
    counts: Counts
    pain_free: dict[str, Share]
    nearly_pain_free: dict[str, Share]
    changes: dict[str, dict[str, Change]]  # code -> timepoint -> change
    response: Share
    response_by_code: dict[str, Share]

    @property
    def timeline(self) -> list[tuple[str, Share, Share]]:
        """(timepoint's name, pain-free, pain-free or nearly) in order, for tables."""
        return [(timepoint_label(t), self.pain_free[t], self.nearly_pain_free[t]) for t in TIMEPOINTS]

    @property
    def at_six_months(self) -> tuple[Share, Share]:
        return self.pain_free["6 months"], self.nearly_pain_free["6 months"]


def summarise(label: str, rows: Sequence[EnrolmentOutcome]) -> Summary:
    codes = sorted({p[0] for r in rows for p in r.due})
    return Summary(
        label=label,
        counts=counts(rows),
        pain_free={t: pain_free(rows, t, 0) for t in TIMEPOINTS},
        nearly_pain_free={t: pain_free(rows, t, 1) for t in TIMEPOINTS},
        changes={c: {t: mean_change(rows, c, t) for t in TIMEPOINTS} for c in CHANGE_CODES},
        response=response_rate(rows),
        response_by_code={c: response_rate(rows, c) for c in codes},
    )
