"""The accessibility gate itself can fail: a page with known faults is refused, each named."""

from __future__ import annotations

import pytest

from tests.e2e.a11y import check_page, keyboard_problem, sideways_scroll

pytestmark = pytest.mark.e2e

FAULTY = """<!doctype html><html lang="en"><head><title>Faulty</title>
<style>button { outline: none; } .wide { width: 900px; }</style></head>
<body><main><h1>Faulty</h1>
<button type="button" id="icon"></button>
<input type="text" id="nameless">
<p style="color:#bbb;background:#fff">Pale text nobody can read</p>
<div class="wide">wide</div>
<button type="button" id="act">Send</button>
</main></body></html>"""

GOOD = """<!doctype html><html lang="en"><head><title>Good</title></head>
<body><main><h1>Good</h1><label for="n">Name</label><input id="n">
<button type="button" id="act">Send</button></main></body></html>"""


def test_a_faulty_page_fails_with_each_problem_named(phone):
    phone.set_content(FAULTY)
    with pytest.raises(AssertionError) as failure:
        check_page(phone, phone.locator("#act"))
    message = str(failure.value)
    assert "button-name" in message  # the empty icon button (critical)
    assert "label" in message  # the input without a label (critical)
    assert "color-contrast" in message  # #bbb on white (serious)
    assert "scrolls sideways by" in message
    assert "no visible focus" in message


def test_a_clean_page_passes_and_tab_reaches_its_action(phone):
    phone.set_content(GOOD)
    check_page(phone, phone.locator("#act"))
    assert sideways_scroll(phone) == 0
    assert keyboard_problem(phone, phone.locator("#act")) is None
    assert phone.evaluate("document.activeElement.id") == "act"
