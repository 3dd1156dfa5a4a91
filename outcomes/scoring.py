"""What an answer scores: `score(code, answers)` and `change(code, baseline, current)`.

The one place that knows the scoring rules of the shipped instruments (DESIGN: "outcomes.scoring
what an answer scores"). Pure functions, no database: the instrument definitions under
outcomes/instruments/ carry the wording, and `outcomes.definitions` refuses a definition whose
items or answer values disagree with the rule here.

Answers are a list in item order, each an int (the published value of the chosen option) or None
for an item left unanswered. Bad input (wrong length, a value no option has, a bool or float)
raises `ScoringError` with a message a person can act on; a result is never silently clipped.

Sources, by instrument:
- NRS: 0-10 numeric rating scale of pain intensity (generic; single item, no bands used).
- PEG-3: Krebs EE, Lorenz KA, Bair MJ, et al. Development and initial validation of the PEG, a
  three-item scale assessing pain intensity and interference. J Gen Intern Med.
  2009;24(6):733-738. Score = the mean of the three 0-10 items.
- PHQ-9: Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity
  measure. J Gen Intern Med. 2001;16(9):606-613: scores of 5, 10, 15 and 20 "represented mild,
  moderate, moderately severe, and severe depression"; 0-4 is "none-minimal" in Kroenke K,
  Spitzer RL. The PHQ-9: a new depression diagnostic and severity measure. Psychiatr Ann.
  2002;32(9):509-515. Item 9 (thoughts of being better off dead or of self-harm) is the safety
  item; the closing difficulty question is asked but not scored.
- GAD-7: Spitzer RL, Kroenke K, Williams JBW, Lowe B. A brief measure for assessing generalized
  anxiety disorder: the GAD-7. Arch Intern Med. 2006;166(10):1092-1097: cut points 5, 10 and 15
  for mild, moderate and severe anxiety (0-4 minimal).
- PCS: Sullivan MJL, Bishop SR, Pivik J. The Pain Catastrophizing Scale: development and
  validation. Psychol Assess. 1995;7(4):524-532. 13 items 0-4, total 0-52; rumination items
  8-11, magnification 6, 7 and 13, helplessness 1-5 and 12. The 30-point threshold for a
  clinically relevant level of catastrophizing is from Sullivan MJL. The Pain Catastrophizing
  Scale: User Manual. Montreal: McGill University; 2009.
- RMDQ: Roland M, Morris R. A study of the natural history of back pain. Part I: development of
  a reliable and sensitive measure of disability in low-back pain. Spine. 1983;8(2):141-144.
  24 statements; the score is the number answered yes (0-24).
- Change: Dworkin RH, Turk DC, Wyrwich KW, et al. Interpreting the clinical importance of
  treatment outcomes in chronic pain clinical trials: IMMPACT recommendations. J Pain.
  2008;9(2):105-121 (NRS and PEG); Lowe B, Unutzer J, Callahan CM, Perkins AJ, Kroenke K.
  Monitoring depression treatment outcomes with the Patient Health Questionnaire-9. Med Care.
  2004;42(12):1194-1201 (PHQ-9: 5 points); Toussaint A, Husing P, Gumz A, et al. Sensitivity to
  change and minimal clinically important difference of the 7-item Generalized Anxiety Disorder
  Questionnaire (GAD-7). J Affect Disord. 2020;265:395-401 (GAD-7: 4 points).

Missing items. None of the papers above fixes a proration rule we could cite, so the rules are
ours, conservative, and stated per instrument in RULES (`max_missing`): PHQ-9 and GAD-7 stay
valid with at most one item missing, the total prorated as the mean of the answered items times
the item count, rounded half up; every other instrument needs every item (a mean of two PEG items
is not the PEG, and the original RMDQ is a checklist where every statement has an answer).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from django.utils.translation import gettext_noop


class ScoringError(ValueError):
    """An answer list (or a change) that cannot be scored; the message says why."""


@dataclass(frozen=True)
class Band:
    low: float  # the band starts at this total (inclusive) and runs to the next band's low
    name: str


@dataclass(frozen=True)
class Rule:
    code: str
    items: int
    low: int  # the lowest answer value of every item
    high: int  # the highest
    aggregate: Literal["sum", "mean"]
    max_missing: int = 0  # items that may be missing with the result still valid (prorated)
    bands: tuple[Band, ...] = ()
    subscales: Mapping[str, tuple[int, ...]] = field(default_factory=dict)  # 1-based items
    safety_item: int | None = None  # 1-based; an answer above 0 raises the safety flag

    @property
    def total_low(self) -> int:
        return self.low if self.aggregate == "mean" else self.low * self.items

    @property
    def total_high(self) -> int:
        return self.high if self.aggregate == "mean" else self.high * self.items


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule("NRS", items=1, low=0, high=10, aggregate="sum"),
        Rule("PEG-3", items=3, low=0, high=10, aggregate="mean"),
        Rule(
            "PHQ-9", items=9, low=0, high=3, aggregate="sum", max_missing=1, safety_item=9,
            bands=(
                Band(0, "None-minimal"), Band(5, "Mild"), Band(10, "Moderate"),
                Band(15, "Moderately severe"), Band(20, "Severe"),
            ),
        ),
        Rule(
            "GAD-7", items=7, low=0, high=3, aggregate="sum", max_missing=1,
            bands=(Band(0, "Minimal"), Band(5, "Mild"), Band(10, "Moderate"), Band(15, "Severe")),
        ),
        Rule(
            "PCS", items=13, low=0, high=4, aggregate="sum",
            # Below 30 the manual names no band; the words for it are ours.
            bands=(Band(0, "Below the clinical threshold"), Band(30, "Clinically relevant")),
            subscales={
                "rumination": (8, 9, 10, 11),
                "magnification": (6, 7, 13),
                "helplessness": (1, 2, 3, 4, 5, 12),
            },
        ),
        Rule("RMDQ", items=24, low=0, high=1, aggregate="sum"),
    )
}
CODES = tuple(RULES)


@dataclass(frozen=True)
class Score:
    """One scored response. `total` is the sum (PEG: the mean, to two decimals), prorated when
    an allowed item is missing; it and `band` are None when the result is not valid."""

    code: str
    total: int | float | None
    band: str | None
    subscales: Mapping[str, int]
    valid: bool
    safety: bool  # the safety item was answered above 0
    safety_unanswered: bool  # the instrument has a safety item and it was left blank
    missing: int
    prorated: bool
    reason: str = ""  # why the result is not valid, in words


def rule_for(code: str) -> Rule:
    try:
        return RULES[code]
    except KeyError:
        raise ScoringError(
            f"No scoring rule for {code!r}; known instruments: {', '.join(CODES)}."
        ) from None


def _checked(rule: Rule, answers: Sequence[int | None]) -> list[int | None]:
    if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
        raise ScoringError(f"{rule.code}: answers must be a list in item order.")
    if len(answers) != rule.items:
        raise ScoringError(
            f"{rule.code} has {rule.items} items; {len(answers)} answers were given."
        )
    for number, value in enumerate(answers, start=1):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScoringError(
                f"{rule.code} item {number}: {value!r} is not a whole number "
                f"({rule.low}-{rule.high})."
            )
        if not rule.low <= value <= rule.high:
            raise ScoringError(
                f"{rule.code} item {number}: {value} is out of range; answers are "
                f"{rule.low} to {rule.high}."
            )
    return list(answers)


def _round_half_up(value: Fraction) -> int:
    # Python's round() rounds halves to even (2.5 -> 2); a prorated 13.5 should read 14.
    return int(value + Fraction(1, 2))


def band_for(code: str, total: float) -> str | None:
    """The band name for a valid total, or None for an instrument without bands."""
    name = None
    for band in rule_for(code).bands:
        if total >= band.low:
            name = band.name
    return name


def score(code: str, answers: Sequence[int | None]) -> Score:
    """Score one response. Raises ScoringError for answers that no option has."""
    rule = rule_for(code)
    values = _checked(rule, answers)
    answered = [v for v in values if v is not None]
    missing = len(values) - len(answered)
    safety_value = values[rule.safety_item - 1] if rule.safety_item else None

    def result(total: int | float | None, prorated: bool = False, reason: str = "") -> Score:
        valid = total is not None
        subscales = {
            name: sum(values[i - 1] or 0 for i in items) for name, items in rule.subscales.items()
        } if valid else {}
        return Score(
            code=code, total=total, band=None if total is None else band_for(code, total),
            subscales=subscales, valid=valid, safety=bool(safety_value),
            safety_unanswered=rule.safety_item is not None and safety_value is None,
            missing=missing, prorated=prorated, reason=reason,
        )

    if missing > rule.max_missing or not answered:
        allowed = (
            "every item must be answered"
            if rule.max_missing == 0
            else f"at most {rule.max_missing} may be missing"
        )
        return result(None, reason=f"{missing} of {rule.items} items unanswered; {allowed}.")
    if rule.aggregate == "mean":
        return result(round(sum(answered) / len(answered), 2))
    if missing:
        return result(_round_half_up(Fraction(sum(answered), len(answered)) * rule.items), True)
    return result(sum(answered))


# --- Change against the baseline --------------------------------------------------------------

# Marked for the catalogue but kept in English here: callers compare them; pages translate
# them when shown (gettext(scoring.change(...))).
SUBSTANTIAL = gettext_noop("substantial improvement")
MODERATE = gettext_noop("moderate improvement")
MINIMAL = gettext_noop("minimal improvement")
NO_IMPROVEMENT = gettext_noop("no meaningful improvement")
WORSE = gettext_noop("worse")
MEANINGFUL_IMPROVEMENT = gettext_noop("clinically meaningful improvement")
MEANINGFUL_WORSENING = gettext_noop("clinically meaningful worsening")
NO_MEANINGFUL_CHANGE = gettext_noop("no clinically meaningful change")

# IMMPACT (Dworkin 2008): percentage reductions from baseline in pain intensity.
PERCENT_THRESHOLDS = ((50, SUBSTANTIAL), (30, MODERATE), (10, MINIMAL))
# Points of change that are clinically meaningful: Lowe 2004 (PHQ-9), Toussaint 2020 (GAD-7).
POINT_THRESHOLDS = {"PHQ-9": 5, "GAD-7": 4}
PERCENT_CODES = ("NRS", "PEG-3")


def has_change_rule(code: str) -> bool:
    return code in PERCENT_CODES or code in POINT_THRESHOLDS


def change(code: str, baseline: float, current: float) -> str:
    """The change from a patient's baseline total to the current one, in words.

    NRS and PEG-3: IMMPACT's reductions of at least 10%, 30% and 50% are minimal, moderate and
    substantial improvement; IMMPACT names no threshold for worsening, so any rise is "worse".
    PHQ-9 and GAD-7: a change of at least 5 (PHQ-9) or 4 (GAD-7) points either way is clinically
    meaningful. Other instruments have no threshold here: ScoringError.
    """
    rule = rule_for(code)
    if not has_change_rule(code):
        raise ScoringError(f"No published threshold for a meaningful change in {code} is used.")
    for name, value in (("baseline", baseline), ("current", current)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScoringError(f"{code} {name} total must be a number, not {value!r}.")
        if not rule.total_low <= value <= rule.total_high:
            raise ScoringError(
                f"{code} {name} total {value} is outside {rule.total_low}-{rule.total_high}."
            )
    if code in POINT_THRESHOLDS:
        threshold = POINT_THRESHOLDS[code]
        if baseline - current >= threshold:
            return MEANINGFUL_IMPROVEMENT
        if current - baseline >= threshold:
            return MEANINGFUL_WORSENING
        return NO_MEANINGFUL_CHANGE
    # Exact arithmetic: PEG means are stored to two decimals, and 30% of 6.67 must not
    # fall a float's width short of the threshold.
    before, after = Fraction(str(baseline)), Fraction(str(current))
    if after > before:
        return WORSE
    for percent, words in PERCENT_THRESHOLDS:
        if before > 0 and (before - after) * 100 >= percent * before:
            return words
    return NO_IMPROVEMENT
