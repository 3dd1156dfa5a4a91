"""A PHQ-9 with item 9 above 0 (issue 13): the patient sees crisis resources on their phone at
once; their clinician's caseload puts the alert first; acknowledging it (with a note) takes the
patient off the "Safety alert open" list."""

from __future__ import annotations

import re

import pytest

from outcomes.models import SafetyAlert
from recovery.models import User
from tests.e2e.a11y import check_page
from tests.e2e.test_patient_day import demo, sign_in  # noqa: F401  (fixture)
from tests.recovery.conftest import celery_eager  # noqa: F401  (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("celery_eager")]

# Items 1-8, then item 9 ("Thoughts that you would be better off dead...") at "Several days".
ANSWERS = ["Several days", "More than half the days", "Several days", "Several days",
           "Not at all", "Several days", "Not at all", "Not at all", "Several days"]
NOTE = "Called Sam the same afternoon; safety plan agreed, seen tomorrow."


def caseload_names(page) -> list[tuple[str, bool]]:
    """(patient name, has an open alert) for each caseload row, top to bottom."""
    rows = page.locator("table.caseload tbody tr")
    return [
        (row.locator("th.caseload-name a").first.inner_text().strip(),
         "has-alert" in (row.get_attribute("class") or ""))
        for row in rows.all()
    ]


def test_phq9_item_9_shows_crisis_resources_and_the_alert_comes_first_until_acknowledged(
    live_server, phone, browser, demo  # noqa: F811
):
    base = live_server.url
    page = phone
    sign_in(page, base, "patient@demo.test")
    page.wait_for_url(re.compile(r"/today/$"))
    check_page(page)

    page.goto(base + "/questionnaires/PHQ-9/")
    check_page(page, page.get_by_role("button", name="Send my answers"))
    questions = page.locator("fieldset.question")
    for index, answer in enumerate(ANSWERS):
        questions.nth(index).get_by_text(answer, exact=True).click()
    page.get_by_role("group", name=re.compile("how difficult")).get_by_text(
        "Somewhat difficult", exact=True).click()
    page.get_by_role("button", name="Send my answers").click()

    # Crisis resources in the very response, announced as an alert.
    crisis = page.get_by_role("alert").filter(
        has=page.get_by_role("heading", name="You don't have to face this alone"))
    crisis.wait_for()
    assert "Your care team has been alerted" in crisis.inner_text()
    check_page(page, page.get_by_role("link", name="Back to Today"), step="crisis-resources")
    [alert] = SafetyAlert.objects.filter(patient=demo, acknowledged_at__isnull=True,
                                         response__version__instrument__code="PHQ-9")

    # The clinician's caseload: every patient with an open alert first, Sam among them.
    desk = browser.new_context(viewport={"width": 1024, "height": 800})
    desk.set_default_timeout(15_000)
    doc = desk.new_page()
    sign_in(doc, base, "clinician@demo.test")
    doc.wait_for_url(re.compile(r"/clinic/$"))
    rows = caseload_names(doc)
    flagged = [has_alert for _, has_alert in rows]
    assert ("Sam Patel", True) in rows
    assert flagged == sorted(flagged, reverse=True), "an alert row comes after a quiet one"
    sam_row = doc.locator("table.caseload tbody tr", has=doc.get_by_role("link", name="Sam Patel"))
    assert "Safety alert open" in sam_row.inner_text()
    check_page(doc, doc.get_by_role("link", name="Sam Patel").first)

    # The "needs attention" list: the caseload filtered to open safety alerts.
    doc.get_by_label("Flag").select_option(label="Safety alert open")
    doc.get_by_role("button", name="Show").click()
    doc.wait_for_url(re.compile(r"flag=safety"))
    doc.locator("table.caseload").get_by_role("link", name="Sam Patel").first.wait_for()
    check_page(doc, doc.get_by_role("link", name="Sam Patel").first, step="needs-attention")

    doc.get_by_role("link", name="Sam Patel").first.click()
    doc.get_by_role("heading", name="Sam Patel").wait_for()
    alerts = doc.locator("#alerts")
    assert alerts.get_by_role("heading", name=re.compile("Open safety alert")).is_visible()
    check_page(doc, alerts.get_by_role("button", name="Acknowledge"))
    # A note is required: the browser refuses an empty one before anything is sent.
    alerts.get_by_role("button", name="Acknowledge").click()
    assert alerts.get_by_label("What you did").evaluate("el => !el.validity.valid")
    alerts.get_by_label("What you did").fill(NOTE)
    alerts.get_by_role("button", name="Acknowledge").click()
    doc.get_by_role("heading", name="Sam Patel").wait_for()
    doc.wait_for_load_state("load")
    assert doc.locator("#alerts").count() == 0 or not doc.locator("#alerts").get_by_text(
        alert.reason).is_visible()
    check_page(doc, step="review-after-acknowledging")

    alert.refresh_from_db()
    assert alert.acknowledged_at is not None
    assert alert.acknowledged_by == User.objects.get(email="clinician@demo.test")
    assert alert.acknowledgement_note == NOTE

    # Off the "needs attention" list; still on the caseload, without the alert.
    doc.goto(base + "/clinic/?flag=safety")
    check_page(doc, step="needs-attention-after")
    assert "Sam Patel" not in [name for name, _ in caseload_names(doc)]
    doc.goto(base + "/clinic/")
    check_page(doc, doc.get_by_role("link", name="Sam Patel").first, step="caseload-after")
    assert ("Sam Patel", False) in caseload_names(doc)
    desk.close()
