"""Server-side SVG charts (pygal) and their plain-text summaries.

Every function takes plain data and returns a string, so the patient's History page, the
My data PDF and the clinician's progress report draw the same pictures without a browser
or JavaScript. The SVGs have a viewBox and no fixed size: CSS scales them to the page.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from statistics import mean
from typing import TYPE_CHECKING

import pygal
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from pygal.style import Style

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # dev-only package: typing only

METRICS: tuple[tuple[str, StrOrPromise], ...] = (
    ("pain", gettext_lazy("Pain")), ("stress", gettext_lazy("Stress")), ("mood", gettext_lazy("Mood")),
)

# Okabe-Ito colours, distinguishable with the common colour-vision deficiencies, each at
# least 3:1 against white (WCAG non-text contrast); lines also differ by dash pattern.
PAIN_COLOUR = "#c04f00"
STRESS_COLOUR = "#0068a8"
MOOD_COLOUR = "#00785a"
DUE_COLOUR = "#8a949e"
DONE_COLOUR = "#0b5d56"

BASE_STYLE: dict[str, object] = dict(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b1f23",
    foreground_strong="#1b1f23",
    foreground_subtle="#c8ced4",
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    # Large: a phone shows the 420-unit-wide drawing at about 300 px.
    label_font_size=17,
    major_label_font_size=17,
    legend_font_size=18,
    value_font_size=16,
    title_font_size=16,
    opacity="1",
    opacity_hover="1",
    transition="none",
)


def _style(*colours: str) -> Style:
    return Style(**BASE_STYLE, colors=colours)


DASHES = {"pain": None, "stress": "8, 5", "mood": "2, 4"}
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


@dataclass(frozen=True)
class ScorePoint:
    """One day's check-in scores, each 0-10, or None when the patient left it unanswered."""

    local_date: dt.date
    pain: int | None
    stress: int | None
    mood: int | None


@dataclass(frozen=True)
class WeekAdherence:
    """Exercises done against exercises due in one programme week."""

    week: int
    due: int
    done: int
    in_progress: bool = False  # the current week: due counts only the days so far

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.due) if self.due else None

    @property
    def label(self) -> str:
        if self.in_progress:
            return _("Week %(week)s (so far)") % {"week": self.week}
        return _("Week %(week)s") % {"week": self.week}


def short_date(day: dt.date) -> str:
    return date_format(day, "j M")


def _base_config(**extra: object) -> dict[str, object]:
    config: dict[str, object] = {
        "style": _style(PAIN_COLOUR, STRESS_COLOUR, MOOD_COLOUR),
        "disable_xml_declaration": True,
        "js": [],  # no script: the charts must work without JavaScript (and under a CSP)
        "width": 420,
        "height": 300,
        "explicit_size": False,
        "margin": 6,
        "margin_right": 24,  # room for the last x label
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 3,
        "show_x_guides": False,
        "truncate_label": -1,  # "12 Nov" and "Week 3 (so far)" are short; never "12…"
        "truncate_legend": -1,
        "pretty_print": False,
    }
    config.update(extra)
    return config


_SERIE_ID = re.compile(r'id="activate-serie-(\d+)"')


def _finish(chart: pygal.graph.graph.Graph) -> str:
    # pygal adds an inline <script> with its config even when js=[]; strip it.
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    # Every pygal chart names its legend entries "activate-serie-0", ...: with two charts in
    # one document (a PDF) the ids clash (WeasyPrint: "Anchor defined twice"). Nothing refers
    # to them once the script is gone; make them unique with the chart's own uuid.
    svg = _SERIE_ID.sub(lambda m: f'id="{chart.uuid}-serie-{m.group(1)}"', svg)
    # The text summary beside the chart says what it shows; screen readers skip the drawing.
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


# At most this many dates under a trend chart: "17 Feb" at the 17-unit label size is about 55
# units wide, and the plot about 360, so more would touch or overlap (a 90-day report).
MAX_X_LABELS = 6


def label_every(n_days: int) -> int:
    """Days between two dated x labels: whole weeks, as few as keep at most MAX_X_LABELS."""
    weeks = max(1, -(-n_days // (7 * MAX_X_LABELS)))  # ceiling division
    return 7 * weeks


def trend_svg(points: Sequence[ScorePoint], start: dt.date, end: dt.date) -> str:
    """Pain, stress and mood (0-10) for each day from `start` to `end`, gaps where no check-in."""
    if not points:
        return _finish(pygal.Line(**_base_config(no_data_text=_("No check-ins yet"))))
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    by_day = {p.local_date: p for p in points}
    every = label_every(len(days))
    # Label today and every week (fortnight, ...) back from it, so the newest day is named.
    major = [short_date(d) for d in days[::-1][::every]]
    chart = pygal.Line(
        **_base_config(
            range=(0, 10),
            min_scale=10,
            max_scale=10,
            x_labels_major=major,
            show_minor_x_labels=False,
            dots_size=3.5,
        )
    )
    chart.x_labels = [short_date(d) for d in days]
    for key, name in METRICS:
        values = [getattr(by_day[d], key) if d in by_day else None for d in days]
        dash = DASHES[key]
        style = {"width": 3, "dasharray": dash} if dash else {"width": 3}
        chart.add(str(name), values, stroke_style=style)
    return _finish(chart)


def adherence_svg(weeks: Sequence[WeekAdherence]) -> str:
    """Bars of exercises due and done per programme week."""
    if not weeks:
        return _finish(pygal.Bar(**_base_config(no_data_text=_("Nothing was due yet"))))
    chart = pygal.Bar(
        **_base_config(
            style=_style(DUE_COLOUR, DONE_COLOUR),
            legend_at_bottom_columns=2,
            print_values=True,
            print_values_position="top",
            min_scale=4,
        )
    )
    chart.x_labels = [w.label for w in weeks]
    chart.add(_("Due"), [w.due for w in weeks])
    chart.add(_("Done"), [w.done for w in weeks])
    return _finish(chart)


def metric_summary(points: Sequence[ScorePoint], key: str, name: StrOrPromise) -> str:
    """One sentence: first-week and last-week averages, then the lowest and highest day."""
    series: list[tuple[dt.date, int]] = sorted(
        (p.local_date, value) for p in points if (value := getattr(p, key)) is not None
    )
    if not series:
        return _("No %(name)s scores in this period.") % {"name": str(name).lower()}
    first_day, last_day = series[0][0], series[-1][0]
    # On ties, the most recent day: "lowest 2 on 12 Nov" should be news, not history.
    lowest = min(series, key=lambda item: (item[1], -item[0].toordinal()))
    highest = max(series, key=lambda item: (item[1], item[0]))
    if lowest[1] == highest[1]:
        extremes = _("it was %(score)s every time") % {"score": lowest[1]}
    else:
        extremes = _("lowest %(low)s on %(low_day)s, highest %(high)s on %(high_day)s") % {
            "low": lowest[1], "low_day": short_date(lowest[0]),
            "high": highest[1], "high_day": short_date(highest[0]),
        }
    if (last_day - first_day).days < 7:
        average = mean(v for _day, v in series)
        return _("%(name)s averaged %(average)s over %(count)s; %(extremes)s.") % {
            "name": name, "average": _one_decimal(average), "count": _count(len(series)),
            "extremes": extremes,
        }
    first = mean(v for d, v in series if (d - first_day).days < 7)
    last = mean(v for d, v in series if (last_day - d).days < 7)
    if abs(first - last) < 0.5:
        trend = _("stayed about the same")
    else:
        trend = _("went down") if last < first else _("went up")
    return _(
        "%(name)s %(trend)s: it averaged %(first)s in the first week and %(last)s in the "
        "last week; %(extremes)s."
    ) % {"name": name, "trend": trend, "first": _one_decimal(first),
         "last": _one_decimal(last), "extremes": extremes}


def _count(n: int) -> str:
    return ngettext("%(count)s check-in", "%(count)s check-ins", n) % {"count": n}


def trend_summary(points: Sequence[ScorePoint]) -> list[str]:
    """A sentence per score, for the text beside the chart (and screen readers)."""
    if not points:
        return [_("No check-ins in this period.")]
    return [metric_summary(points, key, name) for key, name in METRICS]


def adherence_summary(weeks: Sequence[WeekAdherence], third_person: bool = False) -> str:
    """The patient's adherence in a sentence, to the patient ("You did") or, for the care
    team's report, about them ("Did")."""
    due = sum(w.due for w in weeks)
    done = sum(w.done for w in weeks)
    if not due:
        return _("No exercises were due yet.")
    figures = {"done": done, "due": due, "percent": round(100 * done / due)}
    if third_person:
        text = _("Did %(done)s of %(due)s exercises that were due (%(percent)s%%)") % figures
    else:
        text = _("You did %(done)s of %(due)s exercises that were due (%(percent)s%%)") % figures
    finished = [w for w in weeks if w.due and not w.in_progress]
    if len(finished) > 1:
        best = max(finished, key=lambda w: (w.done / w.due, -w.week))
        best_figures = {"week": best.week, "percent": best.percent}
        if third_person:
            text += _("; the fullest week was week %(week)s (%(percent)s%%)") % best_figures
        else:
            text += _("; your fullest week was week %(week)s (%(percent)s%%)") % best_figures
    current = next((w for w in weeks if w.in_progress), None)
    if current is not None:
        text += _("; this week so far %(done)s of %(due)s") % {"done": current.done, "due": current.due}
    return text + "."


def _one_decimal(value: float) -> str:
    """Rounded as before (Python's format), written the active language's way (3.6 / 3,6)."""
    return number_format(Decimal(f"{value:.1f}"), 1)
