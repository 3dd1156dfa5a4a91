"""The database going away mid-service (a PostgreSQL restart, a failover) answers a 503 "try
again in a moment" page, never Django's 500 or a traceback, and the same process serves again
as soon as the database is back (no restart: CONN_HEALTH_CHECKS and a fresh connection).

The database is made unreachable for real: the connection is closed and its settings point at
a port nobody listens on (PostgreSQL) or a file in a missing directory (SQLite), so the driver
itself fails to connect, exactly as during a restart. drills/pg_restart.py does the same
against gunicorn and a real `pg_ctl restart -m fast` under load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django.test import Client

from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_down() -> Iterator[Callable[[], None]]:
    """Takes the database away; yields the function that brings it back."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-directory/for-this-test/db.sqlite3"
    else:
        connection.settings_dict["HOST"], connection.settings_dict["PORT"] = "127.0.0.1", "1"

    def back() -> None:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)

    try:
        yield back
    finally:
        back()


@pytest.fixture
def browser(settings) -> Client:
    settings.DEBUG = False  # production's behaviour (DEBUG keeps the developer's traceback)
    patient = PatientFactory(email="away@example.test")
    # Like a browser: the error comes back as a page, not as an exception in the test.
    client = Client(raise_request_exception=False)
    client.force_login(patient)
    assert client.get("/today/").status_code == 200
    return client


def _assert_try_again_page(response) -> None:
    text = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Please try again in a moment" in text and "briefly unavailable" in text
    # The crisis page needs the database too: the way to emergency help is on this page.
    assert "call your local emergency number" in text
    assert "Nothing you had already saved is lost" in text
    assert "Traceback" not in text and "OperationalError" not in text
    # The same strict headers as every other page: CSP without inline code.
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "<style" not in text and "<script" not in text


def test_pages_and_writes_answer_503_while_the_database_is_down(browser, database_down):
    _assert_try_again_page(browser.get("/today/"))
    _assert_try_again_page(
        browser.post("/today/check-in/", {"pain": "4", "stress": "5", "mood": "6"},
                     headers={"HX-Request": "true"})
    )
    _assert_try_again_page(browser.post("/journal/autosave/", {"kind": "free_writing"}))


def test_the_same_process_serves_again_once_the_database_is_back(browser, database_down):
    _assert_try_again_page(browser.get("/today/"))
    database_down()  # the database is back
    response = browser.get("/today/")
    assert response.status_code == 200
    assert "Please try again" not in response.content.decode()


def test_other_server_errors_still_answer_the_500_page(settings):
    """Only the database being away is a 503: a bug stays a 500 (and is logged as one)."""
    settings.DEBUG = False
    from django.urls import path

    from recovery import urls as project_urls

    def broken(request):
        raise ValueError("a bug")

    settings.ROOT_URLCONF = type(
        "Urls", (), {"urlpatterns": [path("broken/", broken), *project_urls.urlpatterns],
                     "handler500": project_urls.handler500},
    )
    response = Client(raise_request_exception=False).get("/broken/")
    text = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in text and "briefly unavailable" not in text


def test_debug_keeps_the_developers_traceback(settings, database_down):
    settings.DEBUG = True
    response = Client(raise_request_exception=False).get("/crisis/")
    assert response.status_code == 500
