"""The figures: per page, the medians over rounds of the page's and the bare view's
throughput and latency, and the median of the per-round ratios (each round's page run right
after its bare run, so a busy moment on the machine weighs on both alike)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from .load import Request, Sample


@dataclass
class Page:
    name: str
    request: Request
    bare: Request
    target: float  # the page's throughput should be at least this fraction of the bare view's
    group: str = ""  # pages measured with nine days and with a year share a group
    queries: int | None = None
    samples: list[Sample] = field(default_factory=list)
    bare_samples: list[Sample] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        ratios = [
            p.rps / b.rps for p, b in zip(self.samples, self.bare_samples, strict=True) if b.rps
        ]
        return statistics.median(ratios) if ratios else 0.0

    @property
    def errors(self) -> int:
        return sum(s.errors for s in self.samples + self.bare_samples)


def _latency(samples: list[Sample], attr: str) -> float:
    timed = [s for s in samples if s.requests] or samples  # a run with no answer has no latency
    return statistics.median(getattr(s, attr) for s in timed)


def _figures(samples: list[Sample]) -> str:
    rps = statistics.median(s.rps for s in samples)
    p50, p95 = _latency(samples, "p50_ms"), _latency(samples, "p95_ms")
    return f"rps {rps:7.1f}  p50 {p50:7.1f}ms p95 {p95:7.1f}ms"


def line(page: Page) -> str:
    verdict = "ok" if page.ratio >= page.target else "BELOW"
    queries = "?" if page.queries is None else str(page.queries)
    text = (
        f"{page.name:<26} {_figures(page.samples)} | bare {_figures(page.bare_samples)} | "
        f"ratio {page.ratio:4.2f} (target {page.target:.1f} {verdict}) | queries {queries}"
    )
    if page.errors:
        text += f" | ERRORS {page.errors}"
    return text


YEAR_TARGET = 1.3


def year_lines(pages: list[Page]) -> list[str]:
    """For each page measured with nine days and with a year of data: how much slower the year
    is, as the bare-normalised throughput (robust to the machine's load) and as p50."""
    lines = []
    by_group: dict[str, list[Page]] = {}
    for page in pages:
        if page.group:
            by_group.setdefault(page.group, []).append(page)
    for group, (short, long) in ((g, ps) for g, ps in by_group.items() if len(ps) == 2):
        slower = short.ratio / long.ratio if long.ratio else float("inf")
        p50 = _latency(long.samples, "p50_ms") / max(_latency(short.samples, "p50_ms"), 1e-9)
        verdict = "ok" if slower <= YEAR_TARGET else "ABOVE"
        lines.append(
            f"{group + ' year vs 9 days':<26} cost x{slower:4.2f} (bare-normalised), "
            f"p50 x{p50:4.2f} | target <= x{YEAR_TARGET} {verdict}"
        )
    return lines
