"""Chart functions take data and return SVG strings and plain-language summaries."""

from __future__ import annotations

import datetime as dt

from journaling import charts
from journaling.charts import ScorePoint, WeekAdherence

START = dt.date(2026, 11, 1)


def falling_pain() -> list[ScorePoint]:
    # Pain averages 6.1 in the first week and 3.6 in the second; lowest 2 on 12 Nov.
    pains = [7, 6, 6, 5, 7, 6, 6, 5, 4, 4, 3, 2, 4, 3]
    return [
        ScorePoint(START + dt.timedelta(days=i), pain=p, stress=5, mood=3 + i // 7)
        for i, p in enumerate(pains)
    ]


def test_summary_of_a_falling_pain_trend():
    summary = charts.metric_summary(falling_pain(), "pain", "Pain")
    assert summary == (
        "Pain went down: it averaged 6.1 in the first week and 3.6 in the last week; "
        "lowest 2 on 12 Nov, highest 7 on 5 Nov."
    )


def test_summary_steady_and_rising():
    points = falling_pain()
    assert charts.metric_summary(points, "stress", "Stress") == (
        "Stress stayed about the same: it averaged 5.0 in the first week and 5.0 in the last "
        "week; it was 5 every time."
    )
    assert charts.metric_summary(points, "mood", "Mood").startswith("Mood went up")


def test_summary_of_less_than_a_week_and_of_nothing():
    points = falling_pain()[:3]
    assert charts.metric_summary(points, "pain", "Pain") == (
        "Pain averaged 6.3 over 3 check-ins; lowest 6 on 3 Nov, highest 7 on 1 Nov."
    )
    assert charts.trend_summary([]) == ["No check-ins in this period."]


def test_unanswered_scores_are_gaps_not_zeros():
    # Pain only on some days, nothing else: the sentences and the drawing skip the gaps.
    points = [
        ScorePoint(START, pain=6, stress=None, mood=None),
        ScorePoint(START + dt.timedelta(days=1), pain=None, stress=None, mood=7),
        ScorePoint(START + dt.timedelta(days=2), pain=4, stress=None, mood=None),
    ]
    assert charts.trend_summary(points) == [
        "Pain averaged 5.0 over 2 check-ins; lowest 4 on 3 Nov, highest 6 on 1 Nov.",
        "No stress scores in this period.",
        "Mood averaged 7.0 over 1 check-in; it was 7 every time.",
    ]
    svg = charts.trend_svg(points, START, START + dt.timedelta(days=6))
    assert svg.count('<desc class="value">') == 3
    assert '<desc class="value">0</desc>' not in svg


def test_trend_svg_contains_the_points_and_scales():
    svg = charts.trend_svg(falling_pain(), START, START + dt.timedelta(days=29))
    assert svg.startswith("<svg")
    assert "<?xml" not in svg and "<script" not in svg
    assert 'viewBox="0 0 420 300"' in svg and 'width="' not in svg.split(">", 1)[0]
    assert svg.count('<desc class="value">') == 14 * 3
    assert '<desc class="value">2</desc>' in svg
    assert "12 Nov" in svg
    for name in ("Pain", "Stress", "Mood"):
        assert f">{name}</text>" in svg


def test_empty_trend_svg_says_so():
    assert "No check-ins yet" in charts.trend_svg([], START, START)


def test_adherence_svg_and_summary():
    weeks = [
        WeekAdherence(1, due=10, done=8),
        WeekAdherence(2, due=10, done=10),
        WeekAdherence(3, due=4, done=1, in_progress=True),
    ]
    svg = charts.adherence_svg(weeks)
    assert "Week 3 (so far)" in svg
    assert '<desc class="value">8</desc>' in svg
    assert charts.adherence_summary(weeks) == (
        "You did 19 of 24 exercises that were due (79%); your fullest week was week 2 "
        "(100%); this week so far 1 of 4."
    )
    assert charts.adherence_summary([]) == "No exercises were due yet."
    assert "Nothing was due yet" in charts.adherence_svg([])
