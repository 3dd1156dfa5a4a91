"""Hostile input everywhere (issue 11, item 10).

The forms and query parameters are not listed by hand: every page that the permission matrix
serves to patient A, A's clinician and A's clinic admin is fetched, and its <form>s (method,
action, field names) and its links' query keys are collected. Hypothesis then fills them with
hostile values (NUL bytes, lone surrogates, 2**63, NaN, impossible and far-off dates, 20,000
characters, right-to-left text, SQL, repeated keys) for at least 500 requests a run. No answer
may be a 5xx, and A's saved journal entry is word for word the same at the end.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote_from_bytes, urljoin, urlsplit

import pytest
import time_machine
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journaling.models import JournalEntry
from tests.test_permission_matrix import (
    Matrix,
    all_patterns,
    client_as,
    expected,
    rule_for,
    url_for,
)
from tests.test_permission_matrix import matrix as matrix  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

EXAMPLES = 520
FUZZED_ROLES = ("patient_a", "clinician_a", "clinic_admin")
# Forms whose submission ends the run's premise (signing out, deleting the account) or
# changes the credentials every later request depends on.
SKIP_ACTIONS = ("/accounts/logout/", "/my-data/delete/", "/accounts/password/change/",
                "/accounts/2fa/", "/accounts/email/", "/accounts/sessions/")


class FormFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.query_keys: set[str] = set()
        self._form: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"method": a.get("method", "get").upper(), "action": a.get("action", ""),
                          "fields": {}}
            self.forms.append(self._form)
        elif tag in ("input", "textarea", "select") and self._form is not None and a.get("name"):
            if a.get("type") not in ("submit", "button", "file"):
                self._form["fields"][a["name"]] = a.get("value", "")
        elif tag == "a" and "?" in a.get("href", ""):
            self.query_keys |= {k for k, _ in parse_qsl(urlsplit(a["href"]).query)}

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def discover(m: Matrix) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(role, method, url, field names) for every form and every page's query keys."""
    targets: set[tuple[str, str, str, tuple[str, ...]]] = set()
    for role in FUZZED_ROLES:
        client = client_as(m, role)
        for name, args in all_patterns().items():
            rule = rule_for(name)
            if rule is None or "ok" not in expected(rule, role, "GET") or name == "account_logout":
                continue
            url = url_for(m, name, args)
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            finder = FormFinder()
            finder.feed(response.content.decode("utf-8", "replace"))
            for form in finder.forms:
                action = urljoin(url, form["action"] or url)
                if any(action.startswith(skip) for skip in SKIP_ACTIONS) or not form["fields"]:
                    continue
                targets.add((role, form["method"], action, tuple(sorted(form["fields"]))))
            if finder.query_keys:
                targets.add((role, "GET", url, tuple(sorted(finder.query_keys))))
    return sorted(targets)


HOSTILE = st.one_of(
    st.text(max_size=40),
    st.sampled_from([
        "a\x00b", "\x00", "\ud800", "9223372036854775808", "-1", "0", "1e309", "NaN", "-inf",
        "99999999999999999999999999", "0000-00-00", "9999-12-31", "2026-02-30", "1900-01-01",
        "yesterday", "31/12/2026", "25:61", "' OR 1=1 --", "<script>alert(1)</script>",
        "\u202egnp.exe", "👍" * 50, "{{7*7}}", "../../etc/passwd", "%00", " ", "",
        "00000000-0000-0000-0000-000000000000", "not-a-uuid", "true", "[]", "{}",
    ]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.just("x" * 20_000),
)


def form_encode(values: dict[str, list[str]]) -> str:
    """As a browser would send them, except that a lone surrogate goes out as the invalid
    UTF-8 bytes it encodes to (what a broken or hostile client can send)."""
    return "&".join(
        f"{quote_from_bytes(name.encode())}={quote_from_bytes(v.encode('utf-8', 'surrogatepass'))}"
        for name, vs in values.items() for v in vs
    )


def test_hostile_values_in_every_form_and_query_never_break_a_page(matrix: Matrix):
    with time_machine.travel(dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC), tick=False):
        saved = JournalEntry.objects.filter(patient=matrix.world.patient,
                                            status=JournalEntry.Status.SAVED)
        before = {e.pk: (e.title, e.body, e.visibility) for e in saved}
        targets = discover(matrix)
        assert len(targets) > 40, targets  # the discovery itself found the project's forms
        clients: dict[str, Client] = {role: client_as(matrix, role) for role in FUZZED_ROLES}
        failures: list[str] = []

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                         HealthCheck.data_too_large])
        @given(data=st.data())
        def one_request(data) -> None:
            role, method, url, fields = data.draw(st.sampled_from(targets))
            chosen = data.draw(st.lists(st.sampled_from(fields), min_size=1, unique=True))
            values = {name: data.draw(st.lists(HOSTILE, min_size=1, max_size=2)) for name in chosen}
            client = clients[role]
            encoded = form_encode(values)
            try:
                if method == "GET":
                    response = client.get(f"{url}?{encoded}")
                else:
                    response = client.post(url, encoded,
                                           content_type="application/x-www-form-urlencoded")
            except Exception as exc:  # raised through the test client: a 500 for a user
                failures.append(f"{role} {method} {url} {values!r:.300}: {exc!r:.200}")
                return
            if response.status_code >= 500:
                failures.append(f"{role} {method} {url} {values!r:.300}: {response.status_code}")

        one_request()
        assert not failures, f"{len(failures)} requests broke:\n" + "\n".join(failures[:40])
        after = {e.pk: (e.title, e.body, e.visibility) for e in saved.filter(pk__in=before)}
        assert after == before, "a hostile request changed a saved journal entry"
