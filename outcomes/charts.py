"""The outcomes page's chart (pygal, drawn like journaling.charts: no script, scales with CSS,
hidden from screen readers because the table beside it says the same)."""

from __future__ import annotations

import pygal
from django.utils.translation import gettext as _

from journaling.charts import DONE_COLOUR, PAIN_COLOUR, _base_config, _finish, _style

from .statistics import TIMEPOINTS, Summary, timepoint_label


def pain_free_svg(summary: Summary) -> str:
    """Percent pain-free and pain-free or nearly at each timepoint; a small cell is left out
    (no bar), never drawn from fewer than 5 patients."""
    chart = pygal.Bar(
        **_base_config(
            style=_style(DONE_COLOUR, PAIN_COLOUR),
            range=(0, 100),
            min_scale=5,
            max_scale=5,
            legend_at_bottom_columns=1,
            no_data_text=_("Fewer than 5 patients measured"),
        )
    )
    chart.x_labels = [timepoint_label(t) for t in TIMEPOINTS]
    chart.add(_("Pain-free (NRS 0), %"), [summary.pain_free[t].percent for t in TIMEPOINTS])
    chart.add(_("Pain-free or nearly (NRS ≤ 1), %"),
              [summary.nearly_pain_free[t].percent for t in TIMEPOINTS])
    return _finish(chart)
