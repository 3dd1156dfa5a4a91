"""Screenshots of a failed browser journey (issue 13): what a person reads first in CI.

Each accessibility check (`a11y.check_page`, i.e. every page a journey visits) keeps a
screenshot of that step in memory; when the test fails, `dump` writes those steps in order plus
a full-page screenshot of every page still open to var/e2e-artifacts/<test-name>/, and the
folder is printed in the failure report (`E2E_ARTIFACTS_DIR` moves the root). Nothing is
written for a passing test.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(
    os.environ.get("E2E_ARTIFACTS_DIR")
    or Path(__file__).resolve().parents[2] / "var" / "e2e-artifacts"
)
FULL_PAGE_MAX_HEIGHT = 4000


@dataclass
class Recorder:
    steps: list[tuple[str, bytes]] = field(default_factory=list)
    browsers: list[object] = field(default_factory=list)

    def reset(self) -> None:
        self.steps.clear()


RECORDER = Recorder()


def record_step(page, name: str) -> None:
    """Keep this step's screenshot until the test ends (what the page looked like then): the
    whole page when it is phone-sized, else the viewport (a 7,000 px caseload costs seconds)."""
    try:
        tall = page.evaluate("document.documentElement.scrollHeight") > FULL_PAGE_MAX_HEIGHT
        RECORDER.steps.append((name, page.screenshot(full_page=not tall)))
    except Exception:  # noqa: BLE001 - a screenshot must never be why a journey fails
        pass


def folder_for(nodeid: str, root: Path | None = None) -> Path:
    """tests/e2e/test_x.py::test_y[a] -> <root>/test_x.test_y_a"""
    name = nodeid.split("/")[-1].replace(".py::", ".")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")
    return (root or ROOT) / name


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:60] or "page"


def open_pages(browsers) -> list[object]:
    pages = []
    for browser in browsers:
        try:
            for context in browser.contexts:
                pages.extend(context.pages)
        except Exception:  # noqa: BLE001 - a closed browser has nothing to show
            continue
    return pages


def dump(nodeid: str, steps, pages, root: Path | None = None) -> Path:
    """Write the kept steps and a full-page screenshot of every open page; return the folder."""
    folder = folder_for(nodeid, root)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    for index, (name, png) in enumerate(steps, start=1):
        (folder / f"step-{index:02d}-{_slug(name)}.png").write_bytes(png)
    for index, page in enumerate(pages, start=1):
        try:
            if page.is_closed():
                continue
            page.screenshot(path=str(folder / f"open-{index:02d}-{_slug(page.url)}.png"),
                            full_page=True)
            (folder / f"open-{index:02d}.url.txt").write_text(page.url + "\n")
        except Exception as exc:  # noqa: BLE001 - keep whatever else can be saved
            (folder / f"open-{index:02d}.error.txt").write_text(f"{exc}\n")
    return folder


def on_report(item, report, root: Path | None = None) -> Path | None:
    """The test-report hook's work (tests/e2e/conftest.py): for a failed e2e test, save the
    screenshots and name their folder in the report; None for anything else."""
    if not report.failed or item.get_closest_marker("e2e") is None:
        return None
    folder = dump(item.nodeid, list(RECORDER.steps), open_pages(RECORDER.browsers), root)
    report.sections.append(("e2e artifacts", f"screenshots saved in {folder}"))
    return folder
