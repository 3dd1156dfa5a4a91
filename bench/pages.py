"""The pages measured, each with the session it is measured with, and their query counts
(once per page, in process, through the test client with the bench's settings)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from recovery.models import User

from .data import People, cookie_header, csrf_pair, session_cookie
from .load import Request
from .report import Page

BARE = "/bench/bare/"
CHECKIN_BODY = "pain=4&stress=5&mood=6&note=Bench+check-in"


def _patient_pages(user: User, label: str) -> list[Page]:
    secret, token = csrf_pair()
    cookie = cookie_header(session_cookie(user), secret)
    bare = Request(BARE, cookie)

    def page(name: str, req: Request, target: float) -> Page:
        return Page(f"{name} ({label})", req, bare, target, group=name)

    return [
        page("today", Request("/today/", cookie), 0.5),
        # The Today check-in form as htmx sends it: CSRF header, HX-Request, a partial back.
        page(
            "check-in POST",
            Request("/today/check-in/", cookie, "POST", CHECKIN_BODY, csrf=token, htmx=True),
            0.5,
        ),
        page("history", Request("/history/", cookie), 0.3),
        page("journal", Request("/journal/", cookie), 0.3),
        # Search reads one patient's entries only (issue 12, item 6): a word in many entries,
        # so a year's search scans a year's text; it must stay within the journal's target.
        page("journal search", Request("/journal/?q=walk", cookie), 0.3),
    ]


def build_pages(people: People) -> list[Page]:
    pages = _patient_pages(people.demo_patient, "9 days")
    pages += _patient_pages(people.year_patient, "year")
    for size, clinician in sorted(people.clinicians.items()):
        cookie = cookie_header(session_cookie(clinician), csrf_pair()[0])
        pages.append(
            Page(
                f"clinic ({size} patients)", Request("/clinic/", cookie), Request(BARE, cookie), 0.3
            )
        )
    return pages


def count_queries(pages: list[Page]) -> None:
    """The queries one request of each page makes (the bare view's are not printed: they are
    the session's and the user's plus the one indexed query)."""
    for page in pages:
        req = page.request
        client = Client()
        for pair in req.cookie.split("; "):
            name, value = pair.split("=", 1)
            client.cookies[name] = value
        headers = {"HX-Request": "true"} if req.htmx else {}
        if req.csrf:
            headers["X-CSRFToken"] = req.csrf
        def send(client: Client, req: Request, headers: dict[str, str]) -> HttpResponse:
            if req.method == "POST":
                return client.post(
                    req.path, req.body, content_type="application/x-www-form-urlencoded",
                    headers=headers,
                )
            return client.get(req.path, headers=headers)

        # A post once before: under load every post but the first changes the day's check-in,
        # so the count is of that one (the first of the day also creates the row and returns
        # the week's progress). A page is counted as drawn: the first request of the process.
        if req.method == "POST":
            send(client, req, headers)
        with CaptureQueriesContext(connection) as queries:
            response = send(client, req, headers)
        if response.status_code == 200:
            page.queries = len(queries)
    assert settings.DEBUG is False
