"""A clinician invites a patient; the patient accepts on a phone and lands on Today, enrolled,
writes one entry of each privacy level, and the clinician's review shows the shared one only
(issue 9's browser test, first half; issue 13's journey)."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from journaling.models import JournalEntry
from programs.models import Enrolment
from recovery.models import User
from tests.e2e.a11y import check_page
from tests.e2e.test_patient_day import demo, sign_in  # noqa: F401  (fixture)
from tests.recovery.conftest import celery_eager, link_in  # noqa: F401  (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("celery_eager")]

EMAIL = "robin.new@example.test"
SHARED = "For my clinician: the flare began after the phone call with my sister."
PRIVATE = "Only for me: what I have never told anyone about that winter."
RELEASED = "Let go: the anger I felt at the waiting room, written and released."


def test_clinician_invites_and_patient_accepts_on_a_phone(live_server, browser, demo):  # noqa: F811
    base = live_server.url
    desk = browser.new_context(viewport={"width": 1024, "height": 800})
    desk.set_default_timeout(10_000)
    page = desk.new_page()
    sign_in(page, base, "clinician@demo.test")
    page.wait_for_url(re.compile(r"/clinic/$"))
    check_page(page, page.get_by_role("link", name="Invitations"))
    page.get_by_role("link", name="Invitations").click()
    check_page(page, page.get_by_role("link", name="Invite a patient"))
    page.get_by_role("link", name="Invite a patient").click()
    check_page(page, page.get_by_role("button", name="Send invitation"))
    page.get_by_label("Patient's email address").fill(EMAIL)
    page.get_by_label("Enrol in a programme").select_option(index=1)
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text(f"Invitation sent to {EMAIL}").wait_for()
    check_page(page)

    [message] = [m for m in mail.outbox if EMAIL in m.to]
    path = link_in(message, "/invite/")

    # The patient's phone, in Berlin: the time zone comes prefilled from the browser.
    phone = browser.new_context(viewport={"width": 360, "height": 740}, timezone_id="Europe/Berlin")
    phone.set_default_timeout(10_000)
    page = phone.new_page()
    page.goto(base + path)
    assert page.get_by_label("Your time zone").input_value() == "Europe/Berlin"
    check_page(page, page.get_by_role("button", name="Create my account"))
    page.get_by_label("Your name").fill("Robin")
    page.get_by_label("Choose a password").fill("Slowly-getting-better-9")
    page.get_by_label("The password again").fill("Slowly-getting-better-9")
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url(re.compile(r"/today/$"))
    assert page.get_by_role("heading", name=re.compile(r"Week 1, day 1 of the")).is_visible()
    check_page(page)

    # One journal entry of each privacy level: shared, private, written and released.
    for text, privacy in ((SHARED, "Share with my care team"), (PRIVATE, "Private")):
        page.goto(base + "/journal/new/?kind=free_writing")
        check_page(page, page.get_by_label("Your words"))
        page.get_by_label("Your words").fill(text)
        page.get_by_label(privacy, exact=True).check()
        page.get_by_role("button", name="Save entry").click()
        page.get_by_text(text).first.wait_for()
        check_page(page, step=f"saved-{privacy}")
    page.goto(base + "/journal/new/?kind=free_writing")
    page.get_by_label("Your words").fill(RELEASED)
    page.get_by_label("Write and release", exact=True).check()
    release = page.get_by_role("button", name="Release", exact=True)
    check_page(page, release, step="write-and-release")
    release.click()
    page.wait_for_url(lambda url: "/journal/new/" not in url)
    check_page(page, step="released")
    phone.close()

    user = User.objects.get(email=EMAIL)
    assert user.time_zone == "Europe/Berlin"
    assert Enrolment.objects.open().filter(patient=user).exists()
    entries = JournalEntry.objects.filter(patient=user)
    assert sorted(entries.values_list("visibility", flat=True)) == [
        "care_team", "private", "released"]
    assert entries.get(visibility="care_team").body == SHARED
    assert entries.get(visibility="released").body == ""
    # Texts are encrypted at rest: compared after decryption, not in SQL.
    assert not any("written and released" in e.body for e in JournalEntry.objects.all())

    # The clinician's review of Robin: the shared entry, never the private or released words.
    page = desk.new_page()
    page.goto(base + "/clinic/")
    page.get_by_role("link", name="Robin", exact=True).first.click()
    page.get_by_role("heading", name="Robin").wait_for()
    check_page(page, page.get_by_role("link", name="Shared journal"), step="review-robin")
    review = page.locator("main").inner_text()
    assert PRIVATE not in review and RELEASED not in review
    # The charts are drawn on white, so their dark labels can be read (charts.css).
    backgrounds = page.locator("svg.pygal-chart .plot > .background")
    assert backgrounds.count() >= 1
    for fill in backgrounds.evaluate_all("els => els.map(e => getComputedStyle(e).fill)"):
        assert fill == "rgb(255, 255, 255)", fill
    page.get_by_role("link", name="Shared journal").click()
    page.get_by_text(SHARED).first.wait_for()
    check_page(page, step="shared-journal-robin")
    journal = page.locator("main").inner_text()
    assert SHARED in journal
    assert PRIVATE not in journal and RELEASED not in journal
    desk.close()


def test_clinician_schedules_a_follow_up_and_downloads_the_report(
    live_server, browser, demo, tmp_path  # noqa: F811
):
    """Issue 9's browser test, second half: from the caseload to a follow-up and the PDF."""
    import shutil
    import subprocess

    base = live_server.url
    desk = browser.new_context(viewport={"width": 1024, "height": 800}, accept_downloads=True)
    desk.set_default_timeout(15_000)
    page = desk.new_page()
    sign_in(page, base, "clinician@demo.test")
    page.wait_for_url(re.compile(r"/clinic/$"))
    check_page(page, page.get_by_role("link", name="Sam Patel").first)
    page.get_by_role("link", name="Sam Patel").first.click()
    page.get_by_role("heading", name="Sam Patel").wait_for()
    check_page(page, page.get_by_role("link", name="Schedule a follow-up").first)

    page.get_by_role("link", name="Schedule a follow-up").first.click()
    check_page(page, page.get_by_role("button", name="Schedule"))
    page.get_by_label("Phone").check()
    page.get_by_role("button", name="Schedule").click()
    page.get_by_role("heading", name="Follow-up visits").wait_for()
    assert page.get_by_text(re.compile(r"Phone · Scheduled")).first.is_visible()
    check_page(page, step="review-after-scheduling")

    page.get_by_role("link", name="Progress report (PDF)").click()
    check_page(page, page.get_by_role("button", name="Download the PDF"))
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the PDF").click()
    path = tmp_path / "report.pdf"
    download.value.save_as(path)
    desk.close()

    assert path.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Sam Patel" in text and "Progress report" in text
