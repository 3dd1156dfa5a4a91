"""A tiny inline SVG of a score over a few days, for one cell of the caseload table.

pygal's charts (journaling.charts) are made for a page each; two hundred of them in a table
would be heavy. This draws a polyline per run of answered days (a gap where no check-in),
with no text: the cell beside it says the figures in words, so the drawing is aria-hidden.
Built from integers only, so the markup is safe to mark as such.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, PAD = 96, 24, 2


def sparkline_svg(values: Sequence[int | None], top: int = 10) -> SafeString:
    """Values 0..`top`, oldest first; None for a day without a score."""
    n = len(values)
    if n == 0 or all(v is None for v in values):
        return mark_safe("")
    step = (WIDTH - 2 * PAD) / max(n - 1, 1)

    def point(i: int, v: int) -> str:
        x = PAD + i * step
        y = PAD + (HEIGHT - 2 * PAD) * (1 - min(max(v, 0), top) / top)
        return f"{x:.1f},{y:.1f}"

    runs: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point(i, v))
    shapes = []
    for run in runs:
        if len(run) == 1:
            x, y = run[0].split(",")
            shapes.append(f'<circle cx="{x}" cy="{y}" r="1.8"/>')
        elif run:
            shapes.append(f'<polyline points="{" ".join(run)}" fill="none"/>')
    return mark_safe(  # noqa: S308  (numbers only)
        f'<svg class="sparkline" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'aria-hidden="true" focusable="false">'
        f'<line x1="0" y1="{HEIGHT - 1}" x2="{WIDTH}" y2="{HEIGHT - 1}" class="sparkline-base"/>'
        f'{"".join(shapes)}</svg>'
    )
