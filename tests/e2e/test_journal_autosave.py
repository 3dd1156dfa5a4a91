"""journal.js in a real browser: the words typed after the session ended are never lost
(defect 1), "Compare" stays hidden until a conflict (6), long text is counted, not cut (8)."""

from __future__ import annotations

import re
import time
from importlib import import_module

import pytest
from django.conf import settings
from django.test import Client

from journaling.models import JournalEntry
from tests.e2e.a11y import check_page
from tests.factories import PatientFactory

pytestmark = pytest.mark.e2e


def _session_cookie(user, base: str) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": base}


def _end_session(context) -> None:
    """Expire the session server-side, as signing out in another tab does; the browser keeps
    its CSRF cookie, as it does then."""
    key = next(c["value"] for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    import_module(settings.SESSION_ENGINE).SessionStore(key).delete()


def _wait_for(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


@pytest.fixture
def patient_page(live_server, browser, transactional_db):
    patient = PatientFactory(email="writer@example.test")
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.set_default_timeout(10_000)
    context.add_cookies([_session_cookie(patient, live_server.url)])
    page = context.new_page()
    yield patient, context, page
    context.close()


def test_words_typed_after_the_session_ended_are_kept_and_sent_after_sign_in(
    live_server, patient_page
):
    patient, context, page = patient_page
    base = live_server.url
    page.goto(base + "/journal/new/?kind=free_writing")
    check_page(page, page.get_by_label("Your words"))
    words = page.get_by_label("Your words")
    words.fill("Before the session ended.")
    status = page.locator("#save-status")
    status.filter(has_text=re.compile(r"^Saved")).wait_for()
    entry = JournalEntry.objects.get(patient=patient)

    _end_session(context)
    words.press("End")
    words.press_sequentially(" Typed while signed out.", delay=5)
    status.filter(has_text="Not saved: sign in again").wait_for(timeout=15_000)
    link = page.locator("#signed-out-link")
    assert link.is_visible()
    href = link.get_attribute("href") or ""
    assert href.startswith("/accounts/login/?next=")
    assert f"%2Fjournal%2F{entry.pk}%2Fedit%2F" in href
    kept = page.evaluate("JSON.stringify(localStorage)")
    assert "Typed while signed out." in kept
    entry.refresh_from_db()
    assert "Typed while signed out." not in entry.body

    # Sign in again (a fresh session), then come back to the form the link names.
    context.add_cookies([_session_cookie(patient, base)])
    page.goto(base + f"/journal/{entry.pk}/edit/")
    _wait_for(lambda: "Typed while signed out." in
              JournalEntry.objects.get(pk=entry.pk).body)
    assert JournalEntry.objects.get(pk=entry.pk).body == (
        "Before the session ended. Typed while signed out.")
    status.filter(has_text=re.compile(r"^Saved")).wait_for()
    check_page(page, page.get_by_role("button", name="Save entry"))


def test_compare_is_hidden_until_a_conflict_and_long_text_is_counted_not_cut(
    live_server, patient_page
):
    _, _, page = patient_page
    page.goto(live_server.url + "/journal/new/?kind=unsent_letter")
    check_page(page, page.get_by_label("Title"))
    assert not page.locator("#compare-versions").is_visible()
    title = page.get_by_label("Title")
    title.fill("t" * 230)
    assert len(title.input_value()) == 230  # nothing cut
    counter = page.locator("#id_title-count")
    counter.filter(has_text="30 over the limit of 200").wait_for()
    check_page(page, step="title-over-the-limit")
    assert not page.locator("#compare-versions").is_visible()
    assert JournalEntry.objects.count() <= 1
    for entry in JournalEntry.objects.all():  # a refused title is never stored cut short
        assert entry.title in ("", "t" * 230)


def test_the_save_status_speaks_the_patients_language(live_server, browser, transactional_db):
    """A patient who chose Spanish, on a browser set to English: the autosave's status line,
    written by journal.js, is in Spanish too, offline and back online."""
    patient = PatientFactory(email="escribe@example.test", language="es")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    context.set_default_timeout(15_000)
    context.add_cookies([_session_cookie(patient, live_server.url)])
    page = context.new_page()
    page.goto(live_server.url + "/journal/new/?kind=free_writing")
    words = page.get_by_label("Sus palabras")
    check_page(page, words)
    words.fill("Hoy el dolor bajó")
    status = page.locator("#save-status")
    status.filter(has_text=re.compile(r"^Guardado a las \d{1,2}:\d{2}")).wait_for()

    context.set_offline(True)
    words.press("End")
    words.press_sequentially(" después del paseo")
    status.filter(has_text="Sin conexión — se conserva en este dispositivo").wait_for()
    context.set_offline(False)  # the retry sends the words kept meanwhile
    _wait_for(lambda: "después del paseo" in JournalEntry.objects.get(patient=patient).body, 30)
    status.filter(has_text=re.compile(r"^Guardado a las")).wait_for()
    assert "Saved" not in status.inner_text()
    context.close()
