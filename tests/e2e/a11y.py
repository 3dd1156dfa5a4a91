"""The accessibility gate every browser journey runs on every page it visits (issue 13, item 2).

`check_page(page)` runs, on the page as the journey left it:
- axe-core (pinned in tests/e2e/package.json, installed by `make e2e-deps`) with the WCAG 2.0,
  2.1 and 2.2 A and AA rules; any serious or critical violation fails with a readable list;
- no sideways scroll at 360 px (the page is narrowed to 360 px for the check, then restored);
- the keyboard: Tab from the top of the page reaches the page's main action (given by the journey,
  else the first control in <main>) and the focused element shows a visible focus indicator
  (computed outline or box-shadow).

How axe gets in without weakening the CSP: `page.add_script_tag(path=...)` would inject the file
as an inline <script>, which our strict CSP (no 'unsafe-inline') refuses, and `bypass_csp=True`
would switch the CSP off for the whole journey. Instead the source is evaluated through
Playwright's `page.evaluate` (the DevTools protocol, which a page's CSP does not govern), so the
journeys keep running under the real policy and a CSP regression still breaks them.

`PageTracker` records every document a page commits to; `assert_all_checked()` fails a journey
that navigated somewhere it never checked, so "every page" cannot silently shrink.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.conftest import service_unavailable

AXE_PATH = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
PHONE_WIDTH = 360

# What a keyboard user can land on; [tabindex="-1"] is only reachable by script.
FOCUSABLE = (
    'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), '
    'select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])'
)

_axe_source: str | None = None


def axe_source() -> str:
    global _axe_source
    if _axe_source is None:
        if not AXE_PATH.exists():
            service_unavailable("axe-core is not installed: run `make e2e-deps`")
        _axe_source = AXE_PATH.read_text(encoding="utf-8")
    return _axe_source


def page_key(url: str) -> str:
    """A visited page, as the tracker counts it: the path with numbers and tokens generalised."""
    path = urlsplit(url).path
    path = re.sub(r"/\d+(?=/|$)", "/<id>", path)
    return re.sub(r"/[A-Za-z0-9_-]{20,}(?=/|$)", "/<token>", path)


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            target = " ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {summary}")
        if len(v["nodes"]) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def axe_violations(page) -> list[dict[str, Any]]:
    """Serious and critical WCAG 2.x A/AA violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                               resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                helpUrl: v.helpUrl, nodes: v.nodes.map(n => ({target: n.target,
                failureSummary: n.failureSummary}))}));
        }""",
        WCAG_TAGS,
    )
    return [v for v in result if v["impact"] in BLOCKING_IMPACTS]


def sideways_scroll(page) -> int:
    """How many pixels the page scrolls sideways at 360 px wide (0 is the only good answer)."""
    size = page.viewport_size
    if size and size["width"] != PHONE_WIDTH:
        page.set_viewport_size({"width": PHONE_WIDTH, "height": size["height"]})
    try:
        return int(page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"))
    finally:
        if size and size["width"] != PHONE_WIDTH:
            page.set_viewport_size(size)


def _focus_state(page) -> dict[str, Any]:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return {none: true};
            const s = getComputedStyle(el);
            const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
            const shadow = s.boxShadow && s.boxShadow !== 'none';
            return {none: false, visible: outline || !!shadow,
                    what: el.outerHTML.slice(0, 160), style: s.outlineStyle + ' ' +
                    s.outlineWidth + ' / ' + s.boxShadow};
        }"""
    )


def keyboard_problem(page, action=None, max_tabs: int = 250) -> str | None:
    """Tab from the top until `action` (a locator; default: the first control in <main>) has
    the focus; None when it does and its focus is visible, else what went wrong. The bound is
    about reachability, not convenience: a caseload page has a few links per patient."""
    if action is None:
        action = page.locator("main").locator(FOCUSABLE).filter(visible=True).first
        if action.count() == 0:
            return None  # nothing to act on (a message page); the skip link is checked elsewhere
    if not action.is_visible():
        return f"the main action is not visible: {action}"
    handle = action.element_handle()
    # Start where a keyboard user starts: nothing focused, at the top of the document.
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); "
                  "window.scrollTo(0, 0); }")
    page.evaluate("() => { const a = document.createElement('span'); a.tabIndex = -1; "
                  "document.body.prepend(a); a.focus(); a.remove(); }")
    for _ in range(max_tabs):
        page.keyboard.press("Tab")
        if page.evaluate("el => el === document.activeElement || el.contains(document.activeElement)",
                         handle):
            state = _focus_state(page)
            if not state.get("visible"):
                return f"no visible focus on {state.get('what')} ({state.get('style')})"
            return None
    return f"Tab did not reach {action} in {max_tabs} presses"


@dataclass
class PageTracker:
    """Remembers which pages a journey visited and which of them it checked."""

    visited: dict[str, str] = field(default_factory=dict)
    checked: set[str] = field(default_factory=set)
    documents: dict[Any, str] = field(default_factory=dict)  # page -> the document it shows

    def watch(self, page) -> None:
        # A visit is an HTML page the server sent for the tab itself: not a redirect on the
        # way, not a download, and not the address bar changing under the same document. The
        # journal editor swaps /journal/new/ for /journal/<id>/edit/ with history.replaceState
        # once autosave has made the draft, so that a reload lands on it; the markup is the one
        # already checked, and whether the swap comes before or after a check is timing.
        def loaded(response) -> None:
            request = response.request
            if (request.is_navigation_request() and response.frame == page.main_frame
                    and response.url.startswith("http") and not 300 <= response.status < 400
                    and "text/html" in response.headers.get("content-type", "")):  # not a PDF
                self.visited.setdefault(page_key(response.url), response.url)
                self.documents[page] = response.url

        page.on("response", loaded)

    def watch_context(self, context) -> None:
        context.on("page", self.watch)
        for page in context.pages:
            self.watch(page)

    def unchecked(self) -> list[str]:
        return sorted(url for key, url in self.visited.items() if key not in self.checked)


TRACKER = PageTracker()


def check_page(page, action=None, *, step: str | None = None) -> None:
    """Run every accessibility check on the page as it is now; fail with all problems found."""
    from tests.e2e import artifacts

    page.wait_for_load_state("load")
    url = page.url
    artifacts.record_step(page, step or page_key(url))
    problems = []
    violations = axe_violations(page)
    if violations:
        problems.append("axe (WCAG 2.x A/AA, serious or critical):\n" + format_violations(violations))
    overflow = sideways_scroll(page)
    if overflow > 0:
        problems.append(f"scrolls sideways by {overflow}px at {PHONE_WIDTH}px wide")
    key_problem = keyboard_problem(page, action)
    if key_problem:
        problems.append("keyboard: " + key_problem)
    TRACKER.checked.update({page_key(url), page_key(TRACKER.documents.get(page, url))})
    if problems:
        raise AssertionError(f"accessibility problems on {url}:\n" + "\n".join(problems))


def goto(page, url: str, action=None):
    """page.goto, then every check on the page it lands on."""
    response = page.goto(url)
    check_page(page, action)
    return response
