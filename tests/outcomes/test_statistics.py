"""outcomes.statistics on a synthetic cohort whose figures are worked out by hand."""

from __future__ import annotations

import pytest

from outcomes.statistics import (
    EnrolmentOutcome,
    Share,
    counts,
    mean_change,
    mean_ci,
    pain_free,
    response_rate,
    summarise,
)

END, SIX = ("NRS", "end"), ("NRS", "6 months")
PEG_BASE, PEG_END = ("PEG-3", "baseline"), ("PEG-3", "end")


def row(i: int, status: str = "completed", **scores) -> EnrolmentOutcome:
    points = {
        "nrs_end": END, "nrs_six": SIX, "peg_base": PEG_BASE, "peg_end": PEG_END,
    }
    given = {points[k]: v for k, v in scores.items() if v is not None}
    due = frozenset({END, SIX, PEG_BASE, PEG_END})
    return EnrolmentOutcome(i, 1, 1, status, given, due, due)


# Twelve patients: 10 completed, 2 withdrawn.
# NRS at the end: ten answered: 0,0,0,0,0,0,1,1,3,5 -> 6 pain-free (60%), 8 nearly (80%);
#   two did not answer (windows closed): lost to follow-up = 2.
# NRS at 6 months: only 4 answered -> a small cell.
# PEG-3 baseline -> end in 6 patients, changes -2,-4,-6,-2,-4,-6: mean -4, sd = sqrt(16/5),
#   95% CI = -4 +/- t(0.975, 5) * sd / sqrt(6) = -4 +/- 2.5706 * 0.7303 = (-5.877, -2.123).
NRS_END = [0, 0, 0, 0, 0, 0, 1, 1, 3, 5, None, None]
NRS_SIX = [0, 0, 1, 4, None, None, None, None, None, None, None, None]
PEG = [(8, 6), (8, 4), (9, 3), (6, 4), (7, 3), (10, 4)] + [(None, None)] * 6
COHORT = [
    row(i, "withdrawn" if i >= 10 else "completed", nrs_end=NRS_END[i], nrs_six=NRS_SIX[i],
        peg_base=PEG[i][0], peg_end=PEG[i][1])
    for i in range(12)
]


def test_counts():
    c = counts(COHORT)
    assert (c.enrolled, c.completed, c.withdrawn) == (12, 10, 2)


def test_pain_free_and_nearly_with_denominator_and_lost_to_follow_up():
    assert pain_free(COHORT, "end", 0) == Share(6, 10, lost=2)
    assert pain_free(COHORT, "end", 0).text == "6 of 10 (60%)"
    assert pain_free(COHORT, "end", 1) == Share(8, 10, lost=2)
    assert pain_free(COHORT, "end", 1).percent == pytest.approx(80)


def test_small_cells_are_never_a_percentage():
    six = pain_free(COHORT, "6 months", 0)
    assert six == Share(2, 4, lost=8)
    assert six.percent is None and six.text == "fewer than 5 answered"
    assert "%" not in six.text
    # A small numerator in a large denominator is suppressed too.
    assert Share(3, 40).text == "fewer than 5 of 40" and Share(3, 40).percent is None


def test_mean_change_with_a_95_percent_confidence_interval():
    change = mean_change(COHORT, "PEG-3", "end")
    assert change.n == 6
    assert change.mean == pytest.approx(-4)
    assert change.low == pytest.approx(-5.877, abs=1e-3)
    assert change.high == pytest.approx(-2.123, abs=1e-3)
    assert change.text == "-4.0 (95% CI -5.9 to -2.1; n = 6)"
    assert mean_change(COHORT[:4], "PEG-3", "end").text == "fewer than 5 measured"
    assert mean_ci([]).mean is None


def test_response_rate_counts_closed_or_answered_points():
    # Due: 12 patients x 4 points = 48; answered: NRS end 10 + six 4 + PEG 6 + 6 = 26.
    assert response_rate(COHORT) == Share(26, 48)
    assert response_rate(COHORT, "PEG-3") == Share(12, 24)


def test_summary_holds_every_figure():
    s = summarise("All", COHORT)
    assert s.pain_free["end"].numerator == 6
    assert s.nearly_pain_free["end"].numerator == 8
    assert s.changes["PEG-3"]["end"].n == 6
    assert s.changes["PHQ-9"]["end"].n == 0
    assert set(s.response_by_code) == {"NRS", "PEG-3"}
