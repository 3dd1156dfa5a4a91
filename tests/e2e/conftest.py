"""Playwright driving Debian's Chromium against pytest-django's live server.

Every journey runs the accessibility gate (tests/e2e/a11y.py) on each page it visits, and a
test that navigated to a page it never checked fails. A failed journey leaves screenshots of
each step and of every open page under var/e2e-artifacts/<test-name>/ (tests/e2e/artifacts.py).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator

import pytest

from tests.conftest import service_unavailable
from tests.e2e import a11y, artifacts

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
# still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class TrackedBrowser:
    """The Playwright browser, with every context it opens watched by the page tracker."""

    def __init__(self, browser) -> None:
        self._browser = browser
        self.opened: list[object] = []

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        a11y.TRACKER.watch_context(context)
        self.opened.append(context)
        return context

    def close_leftovers(self) -> None:
        """Close what a failed test left open, so the next test's screenshots are its own."""
        for context in self.opened:
            with contextlib.suppress(Exception):  # already closed
                context.close()
        self.opened.clear()

    def __getattr__(self, name: str):
        return getattr(self._browser, name)


TRACKED: list[TrackedBrowser] = []


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        service_unavailable("playwright is not installed")
    a11y.axe_source()  # fail (CI) or skip early when `make e2e-deps` has not run
    shutil.rmtree(artifacts.ROOT, ignore_errors=True)  # only this run's failures are shown
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        artifacts.RECORDER.browsers.append(browser)
        tracked = TrackedBrowser(browser)
        TRACKED.append(tracked)
        yield tracked
        TRACKED.remove(tracked)
        artifacts.RECORDER.browsers.remove(browser)
        browser.close()


@pytest.fixture(autouse=True)
def every_page_checked(request) -> Iterator[None]:
    """Fresh step screenshots and tracker per test; afterwards, no visited page unchecked."""
    artifacts.RECORDER.reset()
    a11y.TRACKER.visited.clear()
    a11y.TRACKER.checked.clear()
    a11y.TRACKER.documents.clear()
    yield
    for tracked in TRACKED:
        tracked.close_leftovers()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.passed:
        unchecked = a11y.TRACKER.unchecked()
        assert not unchecked, f"pages visited without the accessibility check: {unchecked}"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    folder = artifacts.on_report(item, report)
    if folder is not None:
        item.config.stash.setdefault(ARTIFACT_FOLDERS, []).append(str(folder))
    return report


ARTIFACT_FOLDERS = pytest.StashKey[list[str]]()


def pytest_terminal_summary(terminalreporter) -> None:
    folders = terminalreporter.config.stash.get(ARTIFACT_FOLDERS, [])
    if folders:
        terminalreporter.section("browser-test artifacts")
        for folder in folders:
            terminalreporter.write_line(folder)


@pytest.fixture
def phone(browser) -> Iterator[object]:
    """A fresh 360x740 phone-sized page."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
