"""On a phone, the demo patient answers the PEG that is due on Today, and it leaves Today."""

from __future__ import annotations

import re

import pytest

from outcomes.models import QuestionnaireResponse
from tests.e2e.a11y import check_page
from tests.e2e.test_patient_day import demo, sign_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e


def test_the_due_peg_is_answered_on_a_phone_and_leaves_today(live_server, phone, demo):  # noqa: F811
    base = live_server.url
    page = phone
    sign_in(page, base, "patient@demo.test")
    page.wait_for_url(re.compile(r"/today/$"))
    card = page.locator("section", has=page.get_by_role("heading", name="Questionnaires due"))
    link = card.get_by_role("link", name=re.compile("PEG"))
    assert link.is_visible()
    check_page(page, link)
    link.click()
    page.wait_for_url(re.compile(r"/questionnaires/PEG-3/$"))
    check_page(page, page.get_by_role("button", name="Send my answers"))
    for group, score in enumerate(("4", "3", "5")):
        page.locator("fieldset.question").nth(group).get_by_text(score, exact=True).click()
    before = QuestionnaireResponse.objects.filter(patient=demo, status="submitted").count()
    page.get_by_role("button", name="Send my answers").click()
    check_page(page, page.get_by_role("link", name="Back to Today"))
    page.get_by_role("link", name="Back to Today").click()
    page.wait_for_url(re.compile(r"/today/$"))
    check_page(page, step="today-after-answering")
    card = page.locator("section", has=page.get_by_role("heading", name="Questionnaires due"))
    assert card.get_by_text("Nothing due today.").is_visible()
    assert card.get_by_role("link", name=re.compile("PEG")).count() == 0
    assert QuestionnaireResponse.objects.filter(patient=demo, status="submitted").count() == before + 1
