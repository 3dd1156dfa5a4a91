"""Properties of outcomes.scoring over every instrument: totals in range, bands monotonic in
the total, the missing-item rules, and change words consistent with their direction."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from outcomes.scoring import CODES, RULES, band_for, change, has_change_rule, score


@st.composite
def responses(draw, max_missing: int | None = None):
    """(code, answers): answers in range, some possibly None."""
    code = draw(st.sampled_from(CODES))
    rule = RULES[code]
    value = st.integers(rule.low, rule.high)
    answers = draw(st.lists(st.one_of(value, st.none()), min_size=rule.items, max_size=rule.items))
    return code, answers


@given(responses())
def test_a_valid_total_is_in_the_instruments_range(case):
    code, answers = case
    rule = RULES[code]
    result = score(code, answers)
    if result.valid:
        assert rule.total_low <= result.total <= rule.total_high
        for name, items in rule.subscales.items():
            assert 0 <= result.subscales[name] <= rule.high * len(items)
    else:
        assert result.total is None and result.band is None


@given(responses())
def test_the_missing_item_rule(case):
    code, answers = case
    rule = RULES[code]
    missing = answers.count(None)
    result = score(code, answers)
    assert result.missing == missing
    assert result.valid == (missing <= rule.max_missing and missing < rule.items)
    assert result.prorated == (result.valid and missing > 0)


@given(st.sampled_from(CODES), st.data())
def test_a_complete_response_is_never_prorated_and_sums_or_averages(code, data):
    rule = RULES[code]
    answers = data.draw(st.lists(st.integers(rule.low, rule.high), min_size=rule.items,
                                 max_size=rule.items))
    result = score(code, answers)
    assert result.valid and not result.prorated
    expected = round(sum(answers) / rule.items, 2) if rule.aggregate == "mean" else sum(answers)
    assert result.total == expected


@given(st.sampled_from(CODES), st.data())
def test_bands_are_monotonic_in_the_total(code, data):
    rule = RULES[code]
    names = [band.name for band in rule.bands]
    a = data.draw(st.integers(rule.total_low, rule.total_high))
    b = data.draw(st.integers(a, rule.total_high))
    if names:
        assert names.index(band_for(code, a)) <= names.index(band_for(code, b))
    else:
        assert band_for(code, a) is None


@given(st.sampled_from([c for c in CODES if RULES[c].safety_item]), st.data())
def test_the_safety_flag_is_the_safety_item_above_zero(code, data):
    rule = RULES[code]
    answers = data.draw(st.lists(st.one_of(st.integers(rule.low, rule.high), st.none()),
                                 min_size=rule.items, max_size=rule.items))
    item = answers[rule.safety_item - 1]
    result = score(code, answers)
    assert result.safety == bool(item)
    assert result.safety_unanswered == (item is None)


@given(st.sampled_from([c for c in CODES if has_change_rule(c)]), st.data())
def test_change_words_follow_the_direction(code, data):
    rule = RULES[code]
    baseline = data.draw(st.integers(rule.total_low, rule.total_high))
    current = data.draw(st.integers(rule.total_low, rule.total_high))
    words = change(code, baseline, current)
    if current > baseline:
        assert "improvement" not in words or words.startswith("no ")
    if current == baseline:
        assert words.startswith("no ")
    if "improvement" in words and not words.startswith("no "):
        assert current < baseline
