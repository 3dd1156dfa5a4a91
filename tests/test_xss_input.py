"""The XSS corpus typed where people type (issue 11, item 10; the corpus and its checks are
tests/xss_checks.py, the rendering of every field on every page is tests/test_xss_corpus.py).

- the real forms (patient, clinician, admin) accept every payload and save it word for word,
  and the pages they lead to show it escaped;
- the only typed links (a cohort's video link, an exercise's media URL) refuse javascript: and
  data: URLs;
- every query parameter of every page (reflected XSS), as a plain GET and as an htmx partial.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from urllib.parse import urlencode, urljoin

import pytest
import time_machine
from django.urls import reverse

from clinicians.models_visits import FollowUpVisit
from journaling.models import CheckIn, JournalEntry, StressorItem
from outcomes.models import SafetyAlert
from programs.models import Cohort
from programs.yaml_io.schema import CurriculumError, parse_curriculum
from recovery.models import PatientProfile
from tests.clinicians.test_views_use_access import _alert_for
from tests.programs import builders
from tests.test_hostile_input import discover
from tests.test_permission_matrix import Matrix, client_as
from tests.test_permission_matrix import matrix as matrix  # noqa: F401  (the fixture)
from tests.xss_checks import TEMPLATES, Fields, form_with, inspect_html, payload

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 12)
READERS = ("patient_a", "clinician_a", "clinic_admin")


# --- through the forms --------------------------------------------------------------------


@dataclass
class Target:
    """A form a person fills: on `page`, the one holding `field` (and `must_have`); `stored`
    reads back what was saved; `limit` is the field's length (0: the whole corpus at once)."""

    reader: str
    page: str
    field: str
    stored: Callable[[], list[str]]
    limit: int = 0
    must_have: tuple[str, ...] = ()
    extra: dict[str, str] = dc_field(default_factory=dict)
    also: tuple[str, ...] = ()  # more text fields of the same form, given the same words


def test_the_forms_keep_every_payload_as_written(matrix: Matrix):  # noqa: F811
    """The corpus typed into the real forms is accepted and saved word for word (no
    "sanitiser" eats a patient's words), and the page that shows it afterwards is clean."""
    w = matrix.world
    a = w.patient
    f = Fields()
    with time_machine.travel(NOW, tick=False):
        _alert_for(a)
        visit = FollowUpVisit.objects.get(pk=matrix.values["visit_id"])
        targets = {
            "display name": Target(
                "patient_a", "/account/", "display_name", limit=120,
                stored=lambda: [PatientProfile.objects.get(user=a).display_name]),
            "stressor": Target(
                "patient_a", "/journal/stressors/", "text", limit=500, must_have=("category",),
                stored=lambda: list(StressorItem.objects.filter(patient=a).values_list("text", flat=True))),
            "check-in note": Target(
                "patient_a", "/today/", "note", limit=2000, must_have=("pain",),
                extra={"pain": "4"},
                stored=lambda: [CheckIn.objects.get(patient=a, local_date=TODAY).note]),
            "visit notes": Target(
                "clinician_a", reverse("clinicians:visit_detail", args=[a.pk, visit.pk]), "summary",
                also=("discussed", "plan"),
                stored=lambda: [FollowUpVisit.objects.get(pk=visit.pk).summary]),
            "alert acknowledgement": Target(
                "clinician_a", reverse("clinicians:patient_review", args=[a.pk]), "note",
                stored=lambda: list(SafetyAlert.objects.values_list("acknowledgement_note", flat=True))),
            "cohort name": Target(
                "clinic_admin", reverse("clinicians:cohort_new"), "name", limit=200,
                extra={"version": str(w.version.pk), "start_date": "2026-04-06",
                       "meeting_time": "18:00", "capacity": "8"},
                also=("location",),
                stored=lambda: list(Cohort.objects.values_list("name", flat=True))),
        }
        entries = JournalEntry.objects.filter(patient=a)
        targets |= {
            "journal body": Target(
                "patient_a", "/journal/new/?kind=free_writing", "body",
                stored=lambda: list(entries.values_list("body", flat=True))),
            "unsent letter": Target(
                "patient_a", "/journal/new/?kind=unsent_letter", "recipient", limit=200,
                also=("title", "body"),
                stored=lambda: list(entries.values_list("recipient", flat=True))),
            "symptom-emotion answers": Target(
                "patient_a", "/journal/new/?kind=symptom_emotion", "when", limit=200,
                also=("where", "happening", "thoughts", "title"),
                stored=lambda: [e.data.get("where") for e in entries.all()]),
            "attention-shifting answers": Target(
                "patient_a", "/journal/new/?kind=attention_shifting", "told_myself", limit=200,
                also=("symptom", "shifted_to", "how_it_went"),
                stored=lambda: [e.data.get("how_it_went") for e in entries.all()]),
        }
        clients = {r: client_as(matrix, r) for r in READERS}
        problems: list[str] = []
        for label, t in targets.items():
            client = clients[t.reader]
            field = f[label]
            values = field.chunks(t.limit) if t.limit else [field.all()]
            shown: set[str] = set()
            for value in values:
                form = form_with(client.get(t.page).content.decode(), t.field, t.must_have)
                data = {k: v for k, v in form["data"].items() if v is not None}
                data |= t.extra | {name: value for name in (t.field, *t.also)}
                response = client.post(urljoin(t.page, form["action"] or t.page), data)
                if response.status_code not in (200, 302) or value not in t.stored():
                    problems.append(f"{label}: {value[:60]!r} not saved as written "
                                    f"({response.status_code})")
                shown.add(response.get("Location") or t.page)  # the new entry, the cohort...
            shown.add(t.page)
            corpus = [payload(field.no, i) for i in field.written]
            for url in shown:
                found, _text = inspect_html(client.get(url).content.decode(), corpus)
                problems += [f"{label}, {url}: {p}" for p in found]
    assert not problems, "\n".join(problems[:40])
    assert Cohort.objects.count() > 2, "the cohort form created cohorts"


def test_a_script_url_is_refused_where_a_link_is_typed(matrix: Matrix):  # noqa: F811
    """The only user-typed links (a cohort's video link, an exercise's media URL) are rendered
    in href/src: a javascript: or data: URL is refused with a message, not stored."""
    client = client_as(matrix, "clinic_admin")
    url = reverse("clinicians:cohort_new")
    before = Cohort.objects.count()
    with time_machine.travel(NOW, tick=False):
        for link in ("javascript:alert(1)", "JAVASCRIPT:alert(1)//https://x.test",
                     "data:text/html,<script>alert(1)</script>", " javascript:alert(1)"):
            form = form_with(client.get(url).content.decode(), "video_link")
            data = {k: v for k, v in form["data"].items() if v is not None}
            data |= {"version": str(matrix.world.version.pk), "name": "Evening group", "start_date": "2026-04-06", "meeting_time": "18:00",
                     "capacity": "8", "video_link": link}
            response = client.post(url, data)
            assert response.status_code == 200, link
            assert "Enter a valid URL" in response.content.decode(), link
    assert Cohort.objects.count() == before
    for link in ("javascript:alert(1)", "data:text/html,<b>x</b>"):
        data = builders.doc()
        data["exercises"][0]["media_url"] = link
        with pytest.raises(CurriculumError) as refused:
            parse_curriculum(builders.text(data))
        assert any("media_url" in e for e in refused.value.errors), link


def test_query_parameters_are_never_reflected_as_markup(matrix: Matrix):  # noqa: F811
    """Reflected XSS: every query key a page links to (search boxes, filters, sorts, pages,
    dates), found as tests/test_hostile_input.py finds them, is sent the whole corpus, as a
    plain GET and as htmx asks for a partial; the answer never carries it as markup."""
    corpus = [payload(90, i) for i in range(len(TEMPLATES))]
    words = " ".join(corpus)
    problems: list[str] = []
    with time_machine.travel(NOW, tick=False):
        targets = [t for t in discover(matrix) if t[1] == "GET"]
        assert len(targets) >= 10, targets
        clients = {r: client_as(matrix, r) for r in READERS}
        for role, _method, url, keys in targets:
            # All at once, then each link-like payload alone (a value that may become a link).
            queries = [urlencode({key: words for key in keys})] + [
                urlencode({key: p for key in keys}) for p in corpus
                if p.lower().startswith(("javascript:", "data:", "//"))
            ]
            for query, headers in itertools.product(queries, ({}, {"HX-Request": "true"})):
                response = clients[role].get(f"{url}?{query}", headers=headers)
                if response.status_code >= 500:
                    problems.append(f"{role} GET {url} {keys}: {response.status_code}")
                elif "html" in response.get("Content-Type", ""):
                    found, _text = inspect_html(response.content.decode(), corpus)
                    problems += [f"{role} GET {url} {keys} {headers}: {p}" for p in found]
    assert not problems, "\n".join(problems[:40])


def test_the_invitation_email_shows_names_as_text(matrix, django_capture_on_commit_callbacks):  # noqa: F811
    """The one email that carries words people typed (the inviting clinician's name, the
    clinic's name): its HTML part escapes them, its text part keeps them as written."""
    from django.core import mail

    from clinicians import invitations
    from recovery.celery import app as celery_app

    f = Fields()
    doc = matrix.world.responsible
    profile = doc.clinician_profile
    profile.display_name = f["clinician name"].first(120)
    profile.save()
    clinic = doc.clinic
    clinic.name = f["clinic name"].first(200, start=3)
    clinic.save()
    corpus = [payload(fl.no, i) for fl in f.by_name.values() for i in fl.written]
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True  # the worker's send, in-process
    try:
        with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
            invitations.invite(doc, "xss-invitee@example.test")
    finally:
        celery_app.conf.task_always_eager = eager
    [message] = [m for m in mail.outbox if "xss-invitee@example.test" in m.to]
    [(html, _mime)] = message.alternatives
    problems, text = inspect_html(html, corpus)
    assert not problems, problems
    for p in corpus:
        assert p in text, p  # shown as the words they are
        assert p in message.body, p  # plain text: as written
