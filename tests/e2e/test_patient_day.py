"""The patient's day on a phone, then what their clinician reads (issue 4's browser test)."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import override_settings

from journaling.models import JournalEntry
from recovery.demo import DEMO_PASSWORD, DEMO_TOTP_SECRETS
from recovery.models import User
from tests.e2e.a11y import check_page
from tests.recovery.conftest import totp_code

pytestmark = pytest.mark.e2e

LETTER_START = "Dear younger me, you were never too much and"
LETTER_END = " you never had to earn rest."
PRIVATE_TEXT = "This stays between me and the page"


@pytest.fixture
def demo(transactional_db):
    with override_settings(DEBUG=True):
        call_command("load_curricula", verbosity=0)
        call_command("seed_demo", verbosity=0)
    return User.objects.get(email="patient@demo.test")


def sign_in(page, base: str, email: str) -> None:
    """Sign in through the pages (each one checked: axe, 360 px, keyboard)."""
    page.goto(base + "/accounts/login/")
    check_page(page, page.get_by_role("button", name="Sign In"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if email in DEMO_TOTP_SECRETS:
        code = page.get_by_label("Code")
        code.wait_for()
        check_page(page, code)
        code.fill(totp_code(DEMO_TOTP_SECRETS[email]))
        page.get_by_role("button", name="Sign In").click()


def test_patient_day_and_clinician_sees_only_the_shared_entry(live_server, phone, demo, browser):
    base = live_server.url
    page = phone
    sign_in(page, base, "patient@demo.test")
    page.wait_for_url(re.compile(r"/today/$"))
    assert page.get_by_role("heading", name=re.compile(r"Week 2, day 3 of the")).is_visible()
    check_page(page, page.get_by_role("button", name=re.compile("^Mark as done")).first)

    # Mark the first exercise done: one tap, no page reload.
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("button", name=re.compile("^Mark as done")).first.click()
    page.get_by_role("button", name=re.compile("^Undo")).first.wait_for()
    assert page.evaluate("window.__sameDocument") is True

    # Check in.
    # Each score is a group of radio buttons 0-10, none chosen until the patient picks one.
    for measure, score in (("Pain", "3"), ("Stress", "4"), ("Mood", "7")):
        page.get_by_role("group", name=measure).get_by_label(score, exact=True).check()
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_role("button", name="Update check-in").wait_for()
    check_page(page, page.get_by_role("button", name="Update check-in"), step="today-after-check-in")

    # Write an unsent letter, reload mid-sentence, and find the words still there.
    page.goto(base + "/journal/new/?kind=unsent_letter")
    check_page(page, page.get_by_label("To whom"))
    page.get_by_label("To whom").fill("My younger self")
    words = page.get_by_label("Your words")
    words.click()
    words.press_sequentially(LETTER_START, delay=5)
    page.reload()
    words = page.get_by_label("Your words")
    words.wait_for()
    page.wait_for_function(
        "text => document.querySelector('textarea[name=body]').value.includes(text)",
        arg=LETTER_START,
    )
    check_page(page, page.get_by_role("button", name="Save entry"))
    words.press("End")
    words.press_sequentially(LETTER_END, delay=5)
    page.get_by_label("Share with my care team").check()
    page.get_by_role("button", name="Save entry").click()
    page.get_by_text(LETTER_START).first.wait_for()
    check_page(page)

    # A private entry the clinician must never see.
    page.goto(base + "/journal/new/?kind=free_writing")
    check_page(page, page.get_by_label("Your words"))
    page.get_by_label("Your words").fill(PRIVATE_TEXT)
    page.get_by_role("button", name="Save entry").click()
    page.get_by_text(PRIVATE_TEXT).first.wait_for()
    check_page(page)

    # Bodies are encrypted at rest: read them back through the model, not in SQL.
    letters = [e for e in JournalEntry.objects.filter(patient=demo) if LETTER_START in e.body]
    assert len(letters) == 1
    letter = letters[0]
    assert letter.body.endswith(LETTER_END.strip())
    assert letter.visibility == JournalEntry.Visibility.CARE_TEAM

    shared_before = list(
        JournalEntry.objects.filter(patient=demo, visibility="care_team", status="saved")
    )

    # The clinician, in a fresh browser, sees the shared letter and nothing private.
    context = browser.new_context(viewport={"width": 360, "height": 740})
    doc = context.new_page()
    sign_in(doc, base, "clinician@demo.test")
    doc.wait_for_url(re.compile(r"/clinic/$"))
    check_page(doc)
    doc.goto(f"{base}/clinic/patients/{demo.pk}/journal/")
    check_page(doc)
    body = doc.locator("main").inner_text()
    assert LETTER_START in body
    assert PRIVATE_TEXT not in body
    for entry in JournalEntry.objects.filter(patient=demo).exclude(visibility="care_team"):
        if entry.body:
            assert entry.body[:40] not in body
    assert len(shared_before) >= 1
    context.close()
