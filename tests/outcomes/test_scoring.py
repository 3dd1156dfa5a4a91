"""outcomes.scoring: published totals, every band boundary, missing items, refused answers,
and change against the baseline."""

from __future__ import annotations

import pytest

from outcomes import scoring
from outcomes.scoring import ScoringError, change, score


def answers_summing_to(total: int, items: int, high: int) -> list[int]:
    """Answers in range whose sum is `total` (filled from the first item)."""
    out = []
    for _ in range(items):
        take = min(high, total)
        out.append(take)
        total -= take
    assert total == 0
    return out


# --- bands, at each published boundary ------------------------------------------------------

@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "None-minimal"), (4, "None-minimal"), (5, "Mild"), (9, "Mild"), (10, "Moderate"),
        (14, "Moderate"), (15, "Moderately severe"), (19, "Moderately severe"), (20, "Severe"),
        (27, "Severe"),
    ],
)
def test_phq9_bands_follow_kroenke_2001(total, band):
    result = score("PHQ-9", answers_summing_to(total, 9, 3))
    assert (result.total, result.band, result.valid) == (total, band, True)


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "Minimal"), (4, "Minimal"), (5, "Mild"), (9, "Mild"), (10, "Moderate"),
     (14, "Moderate"), (15, "Severe"), (21, "Severe")],
)
def test_gad7_bands_follow_spitzer_2006(total, band):
    result = score("GAD-7", answers_summing_to(total, 7, 3))
    assert (result.total, result.band) == (total, band)


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "Below the clinical threshold"), (29, "Below the clinical threshold"),
     (30, "Clinically relevant"), (52, "Clinically relevant")],
)
def test_pcs_clinical_threshold_is_30(total, band):
    assert score("PCS", answers_summing_to(total, 13, 4)).band == band


# --- published examples -----------------------------------------------------------------------

def test_phq9_example_and_safety_item():
    # A patient answering 1,2,1,2,1,0,1,0,1 scores 9 (mild) and item 9 raises the safety flag.
    result = score("PHQ-9", [1, 2, 1, 2, 1, 0, 1, 0, 1])
    assert (result.total, result.band, result.safety) == (9, "Mild", True)
    assert not score("PHQ-9", [3, 3, 3, 3, 3, 3, 3, 3, 0]).safety


def test_peg_is_the_mean_of_three_items_krebs_2009():
    assert score("PEG-3", [7, 6, 8]).total == 7.0
    assert score("PEG-3", [7, 6, 6]).total == 6.33
    assert score("PEG-3", [0, 0, 0]).total == 0
    assert score("PEG-3", [10, 10, 10]).band is None  # Krebs publishes no bands


def test_nrs_is_the_single_answer():
    assert score("NRS", [6]).total == 6
    assert score("NRS", [0]).valid


def test_pcs_subscales_sullivan_1995():
    # Item n answered with n % 5: items 1..13 -> 1,2,3,4,0,1,2,3,4,0,1,2,3
    answers = [n % 5 for n in range(1, 14)]
    result = score("PCS", answers)
    assert result.total == 26
    assert result.subscales == {
        "rumination": 3 + 4 + 0 + 1,  # items 8-11
        "magnification": 1 + 2 + 3,  # items 6, 7, 13
        "helplessness": 1 + 2 + 3 + 4 + 0 + 2,  # items 1-5 and 12
    }
    assert sum(result.subscales.values()) == result.total


def test_rmdq_counts_the_yes_answers():
    assert score("RMDQ", [1] * 10 + [0] * 14).total == 10
    assert score("RMDQ", [1] * 24).total == 24
    assert score("RMDQ", [0] * 24).total == 0


# --- missing items ----------------------------------------------------------------------------

def test_phq9_with_one_missing_item_is_prorated_and_rounded_half_up():
    # 8 answered items summing to 12: the mean 1.5 x 9 = 13.5 reads 14.
    result = score("PHQ-9", [2, 2, 2, 2, 1, 1, 1, 1, None])
    assert (result.total, result.valid, result.prorated, result.missing) == (14, True, True, 1)
    assert result.safety_unanswered and not result.safety


def test_proration_rounds_halves_up_not_to_even():
    # Summing to 4 over 8 items: 4.5 -> 5, "Mild"; Python's round() would say 4, "None-minimal".
    result = score("PHQ-9", [1, 1, 1, 1, 0, 0, 0, None, 0])
    assert (result.total, result.band) == (5, "Mild")
    # GAD-7, 6 answered summing to 9: 1.5 x 7 = 10.5 -> 11 (round() would give 10).
    assert score("GAD-7", [3, 3, 3, 0, 0, 0, None]).total == 11


@pytest.mark.parametrize(
    ("code", "answers"),
    [
        ("PHQ-9", [1, 1, 1, 1, 1, 1, 1, None, None]),
        ("GAD-7", [1, 1, 1, 1, 1, None, None]),
        ("PEG-3", [5, 5, None]),
        ("NRS", [None]),
        ("PCS", [1] * 12 + [None]),
        ("RMDQ", [1] * 23 + [None]),
    ],
)
def test_too_many_missing_items_make_the_result_invalid(code, answers):
    result = score(code, answers)
    assert not result.valid
    assert result.total is None and result.band is None
    assert "unanswered" in result.reason


def test_safety_flag_survives_an_invalid_total():
    # Item 9 answered but too much else missing: the total is not valid, the risk still shows.
    result = score("PHQ-9", [None, None, None, None, None, None, None, None, 2])
    assert not result.valid and result.safety


# --- refused input ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("code", "answers", "message"),
    [
        ("PHQ-9", [0] * 8 + [4], "PHQ-9 item 9: 4 is out of range; answers are 0 to 3."),
        ("PHQ-9", [0] * 8, "PHQ-9 has 9 items; 8 answers were given."),
        ("NRS", [11], "NRS item 1: 11 is out of range; answers are 0 to 10."),
        ("NRS", [-1], "NRS item 1: -1 is out of range; answers are 0 to 10."),
        ("PEG-3", [5, 5.5, 5], "PEG-3 item 2: 5.5 is not a whole number (0-10)."),
        ("RMDQ", [True] + [0] * 23, "RMDQ item 1: True is not a whole number (0-1)."),
        ("GAD-7", "0000000", "GAD-7: answers must be a list in item order."),
    ],
)
def test_out_of_range_answers_are_refused_with_a_clear_message(code, answers, message):
    with pytest.raises(ScoringError) as exc:
        score(code, answers)
    assert str(exc.value) == message


def test_unknown_instrument_is_refused():
    with pytest.raises(ScoringError, match="known instruments: NRS, PEG-3, PHQ-9"):
        score("BDI", [1])


# --- change against the baseline ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("baseline", "current", "words"),
    [
        (10, 5, "substantial improvement"),  # 50%
        (10, 6, "moderate improvement"),  # 40%
        (10, 7, "moderate improvement"),  # 30% exactly
        (10, 8, "minimal improvement"),  # 20%
        (10, 9, "minimal improvement"),  # 10% exactly
        (10, 10, "no meaningful improvement"),
        (6, 7, "worse"),
        (0, 0, "no meaningful improvement"),
        (0, 3, "worse"),
    ],
)
def test_nrs_change_uses_immpact_percentages(baseline, current, words):
    assert change("NRS", baseline, current) == words


def test_peg_change_is_exact_at_the_threshold():
    # Exactly 30% of 10 is moderate (a float subtraction could fall just short of it);
    # 6.67 -> 4.67 is 29.99%, still minimal.
    assert change("PEG-3", 10.0, 7.0) == "moderate improvement"
    assert change("PEG-3", 6.67, 4.67) == "minimal improvement"
    assert change("PEG-3", 6.67, 3.33) == "substantial improvement"  # 50.07%


@pytest.mark.parametrize(
    ("code", "baseline", "current", "words"),
    [
        ("PHQ-9", 15, 10, "clinically meaningful improvement"),  # Lowe 2004: 5 points
        ("PHQ-9", 15, 11, "no clinically meaningful change"),
        ("PHQ-9", 10, 15, "clinically meaningful worsening"),
        ("GAD-7", 12, 8, "clinically meaningful improvement"),  # Toussaint 2020: 4 points
        ("GAD-7", 12, 9, "no clinically meaningful change"),
        ("GAD-7", 8, 12, "clinically meaningful worsening"),
    ],
)
def test_points_change_for_phq9_and_gad7(code, baseline, current, words):
    assert change(code, baseline, current) == words


def test_change_refuses_totals_out_of_range_and_instruments_without_a_rule():
    with pytest.raises(ScoringError, match="outside 0-27"):
        change("PHQ-9", 30, 10)
    with pytest.raises(ScoringError, match="No published threshold"):
        change("PCS", 30, 10)
    assert not scoring.has_change_rule("RMDQ")
