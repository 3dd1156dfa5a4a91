"""An admin revises a published programme in the Django admin (issue 13): new draft, one
exercise changed, compare (only that change), publish after confirming. The patient already
enrolled keeps their version and their Today; a new enrolment takes the new version."""

from __future__ import annotations

import re

import pytest

from programs import enrolments
from programs.models import Enrolment, Program, ProgramVersion
from recovery.models import User
from tests.e2e.a11y import check_page
from tests.e2e.test_journal_autosave import _session_cookie
from tests.e2e.test_patient_day import demo, sign_in  # noqa: F401  (fixture)
from tests.factories import PatientFactory

pytestmark = pytest.mark.e2e

OLD_TITLE = "Mindfulness meditation (audio)"
NEW_TITLE = "Mindfulness meditation (audio, 15 minutes)"


def exercise_titles(page) -> list[str]:
    return [t.strip() for t in page.locator("main h3").all_inner_texts()]


def test_admin_publishes_a_new_version_and_only_new_enrolments_take_it(
    live_server, browser, demo  # noqa: F811
):
    base = live_server.url
    program = Program.objects.get(slug="mbm-workshop")
    v1 = program.latest_published()
    assert demo.enrolments.get(program=program).version == v1

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    desk.set_default_timeout(20_000)
    page = desk.new_page()
    sign_in(page, base, "admin@demo.test")
    page.goto(base + "/admin/")
    check_page(page, page.get_by_role("link", name="Program versions"))
    page.get_by_role("link", name="Program versions").click()
    check_page(page)
    page.get_by_role("link", name=re.compile(r"^MBM workshop .* v1 \(Published\)$")).click()
    draft_button = page.get_by_role("button", name="New draft from this version")
    check_page(page, draft_button)

    # New draft: a copy of version 1, open for editing.
    draft_button.click()
    page.get_by_text(re.compile(r"Created draft version 2 of")).wait_for()
    check_page(page, page.get_by_role("link", name="Publish this version…"), step="draft")
    draft = ProgramVersion.objects.get(program=program, number=2)
    assert draft.status == ProgramVersion.Status.DRAFT

    # Change one exercise's title, and nothing else.
    exercise = page.locator(".inline-related").filter(
        has=page.locator("h3", has_text=OLD_TITLE))
    exercise.get_by_label("Title").fill(NEW_TITLE)
    page.get_by_role("button", name="Save and continue editing").click()
    page.get_by_text("was changed successfully").wait_for()
    check_page(page, page.get_by_role("link", name="Compare with…"), step="draft-saved")

    # Compare with version 1: exactly that change is listed.
    page.get_by_role("link", name="Compare with…").click()
    check_page(page, page.get_by_role("button", name="Compare"))
    page.get_by_label("Compare with").select_option(label="Version 1 (Published)")
    page.get_by_role("button", name="Compare").click()
    changes = page.locator("section", has=page.get_by_role(
        "heading", name="Changes from version 1 to version 2")).locator("li")
    changes.first.wait_for()
    check_page(page, step="compare-result")
    listed = changes.all_inner_texts()
    assert len(listed) == 1, listed
    assert OLD_TITLE in listed[0] and NEW_TITLE in listed[0]

    # Publish, after the confirmation page.
    page.locator(".breadcrumbs").get_by_role("link", name=re.compile(r" v2 \(Draft\)$")).click()
    page.get_by_role("link", name="Publish this version…").click()
    page.get_by_text("Publishing freezes a version").wait_for()
    publish = page.get_by_role("button", name="Publish")
    check_page(page, publish)
    assert ProgramVersion.objects.get(pk=draft.pk).status == ProgramVersion.Status.DRAFT
    publish.click()
    page.get_by_text(re.compile(r"Published version 2 of")).wait_for()
    check_page(page, page.get_by_role("button", name="New draft from this version"),
               step="published")
    desk.close()

    draft.refresh_from_db()
    v1.refresh_from_db()
    assert draft.status == ProgramVersion.Status.PUBLISHED
    assert program.latest_published() == draft

    # The enrolled patient keeps version 1: same plan, the old title on Today.
    assert Enrolment.objects.get(patient=demo, program=program).version == v1
    phone = browser.new_context(viewport={"width": 360, "height": 740})
    phone.set_default_timeout(10_000)
    phone.add_cookies([_session_cookie(demo, base)])
    today = phone.new_page()
    today.goto(base + "/today/")
    check_page(today, today.get_by_role("button", name=re.compile("^Mark as done")).first)
    assert OLD_TITLE in exercise_titles(today)
    assert NEW_TITLE not in exercise_titles(today)
    phone.close()

    # A new enrolment takes version 2, and its Today shows the new title.
    clinician = User.objects.get(email="clinician@demo.test")
    newcomer = PatientFactory(email="new.patient@example.test", clinic=clinician.clinic)
    enrolment = enrolments.enrol(newcomer, clinician, newcomer.local_today(), program=program)
    assert enrolment.version == draft
    phone = browser.new_context(viewport={"width": 360, "height": 740})
    phone.set_default_timeout(10_000)
    phone.add_cookies([_session_cookie(newcomer, base)])
    today = phone.new_page()
    today.goto(base + "/today/")
    check_page(today, today.get_by_role("button", name=re.compile("^Mark as done")).first,
               step="newcomer-today")
    assert NEW_TITLE in exercise_titles(today)
    assert OLD_TITLE not in exercise_titles(today)
    phone.close()
