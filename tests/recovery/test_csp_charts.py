"""The pygal charts render under a CSP with no inline style (issue 11, item 5).

pygal writes a <style> into each SVG; the CSP blocks it (and a nonce would not survive an htmx
swap). `csp_svg` drops it and static/css/charts.css carries the same rules. Regenerate that file
after changing journaling.charts' or outcomes.charts' look:  DEBUG=1 python -m tests.recovery.test_csp_charts
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from pathlib import Path

CSS_FILE = Path(__file__).resolve().parents[2] / "static" / "css" / "charts.css"
HEADER = (
    "/* Generated from journaling.charts by tests/recovery/test_csp_charts.py: the pygal charts'\n"
    "   own stylesheet, served as a file because the CSP allows no inline <style>. */\n"
)


def expected_css() -> str:
    from journaling import charts
    from journaling.charts import ScorePoint, WeekAdherence

    day = dt.date(2025, 1, 1)
    from outcomes.charts import pain_free_svg
    from outcomes.statistics import summarise

    drawn = {
        "trend": charts.trend_svg([ScorePoint(day, 3, 4, 5)], day, day + dt.timedelta(days=6)),
        "adherence": charts.adherence_svg([WeekAdherence(1, 3, 2)]),
        "outcomes": pain_free_svg(summarise("", [])),
    }
    parts = [HEADER]
    for kind, svg in drawn.items():
        chart_id = re.search(r'id="(chart-[^"]+)"', svg).group(1)  # type: ignore[union-attr]
        style = re.search(r"<style[^>]*>(.*?)</style>", svg, re.S).group(1)  # type: ignore[union-attr]
        # The SVG is XML: its stylesheet says "&gt;" for the child combinator. As a CSS file
        # that is no selector at all, and the charts' white backgrounds fell back to black.
        style = html.unescape(style)
        rules = style.replace(f"#{chart_id}", f".pygal-chart.chart-{kind}").replace("}", "}\n")
        parts.append(f"/* {kind} */\n{rules}")
    return "".join(parts)


def test_static_chart_css_matches_the_charts():
    assert CSS_FILE.read_text() == expected_css(), (
        "static/css/charts.css is stale: DEBUG=1 python -m tests.recovery.test_csp_charts"
    )


def test_the_chart_css_is_css_not_escaped_xml():
    css = CSS_FILE.read_text()
    assert not re.search(r"&(gt|lt|amp|quot);", css)
    for kind in ("trend", "adherence", "outcomes"):  # white behind every chart and its plot
        assert f".pygal-chart.chart-{kind} .plot > .background{{fill:#ffffff}}" in css


def test_filter_drops_inline_style_and_tags_the_chart():
    from journaling import charts
    from recovery.templatetags.security import csp_svg

    svg = csp_svg(charts.adherence_svg([]), "adherence")
    assert "<style" not in svg
    assert ' style="' not in svg
    assert 'class="chart-adherence pygal-chart' in svg


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")
    django.setup()
    CSS_FILE.write_text(expected_css())
    print(f"wrote {CSS_FILE}")
