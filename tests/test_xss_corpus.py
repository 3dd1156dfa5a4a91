"""A corpus of XSS payloads through every free-text field (issue 11, item 10).

Each payload (tests/xss_checks.py) is written into every free-text field a person can fill
and that some page shows (journal entries of each kind with their titles, recipients and worded
answers, stressors, check-in and completion notes, patients' and clinicians' display names,
cohort names and places, a session's place, visit notes, screening reasons, an alert's
acknowledgement, an invitation's outcome note, a clinic's name, address and crisis text, a
curriculum's titles, texts and sources), with a marker naming the field and the payload
(`zz07q12`). tests/test_xss_input.py types it into the real forms and the query strings. The world is built once; then every page the permission matrix
serves to patient A, A's clinician and A's clinic admin, every admin changelist and change page,
both PDFs (their HTML source before WeasyPrint and their text), the JSON exports and the CSV are
fetched once each, and every payload is checked in all of them:

- no markup from user text: no tag or attribute named by a marker, no `on*=` handler, no
  `javascript:`/`data:`/`vbscript:` in a URL attribute, no marker in a `style`, a script or
  a URL attribute; a payload holding `<` or `"` never appears raw in the source;
- the text is kept, literally: every (field, payload) appears word for word in the text a
  person reads on at least one page (so a field that stops being shown, or a "sanitiser" that
  eats words, fails too); Django's template syntax stays text (`{{7*7}}` is not 49);
- the PDF's text holds the payloads as literal text; JSON is valid and holds them unchanged;
  a CSV cell never starts with = + - @ (a spreadsheet formula) unless it is a number.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape

from clinicians import visits
from clinicians.models import Invitation
from clinicians.models_visits import FollowUpVisit
from journaling import kinds
from journaling.checkins import save_checkin
from journaling.models import JournalEntry, StressorItem
from journaling.services import complete_exercise
from journaling.stressors import add_stressor
from outcomes import alerts
from programs.models import (
    Cohort,
    Enrolment,
    ExerciseTemplate,
    Program,
    ProgramVersion,
    Screening,
    Session,
    Week,
)
from recovery import export_jobs
from tests.clinicians.test_views_use_access import _alert_for
from tests.factories import PatientFactory
from tests.test_permission_matrix import (
    Matrix,
    all_patterns,
    client_as,
    expected,
    rule_for,
    url_for,
)
from tests.test_permission_matrix import matrix as matrix  # noqa: F401  (the fixture)
from tests.xss_checks import (
    FIRST_FORMULA,
    MARKER,
    TEMPLATES,
    Fields,
    csv_problems,
    inspect_html,
    payload,
    pdf_text,
    squeeze,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 12)

# --- writing every field ------------------------------------------------------------------


def write_everything(m: Matrix) -> tuple[Fields, dict[str, str]]:
    """Fill every free-text field of A's world with the corpus; returns the fields and extra
    URLs to read (A's entries, the curriculum preview, the dashboard's second page)."""
    f = Fields()
    w = m.world
    a, doc = w.patient, w.responsible
    extra: dict[str, str] = {}

    profile = a.patient_profile
    profile.display_name = f["patient display name"].first(120)
    profile.include_shared_entries_in_reports = True
    profile.save()
    cp = doc.clinician_profile
    # Formulas first: the name labels a line of the programme outcomes CSV.
    cp.display_name = f["clinician display name"].first(120, start=FIRST_FORMULA)
    cp.save()
    # The display names that do not fit A's: more patients of A's clinician (the dashboard).
    for n, name in enumerate(f["patient display name (caseload)"].chunks(120)):
        other = PatientFactory(email=f"caseload{n}@example.test")
        other.patient_profile.display_name = name
        other.patient_profile.save()
        Enrolment.objects.create(patient=other, clinician=doc, version=w.version, start_date=TODAY)

    clinic = a.clinic
    clinic.name = f["clinic name"].first(200)
    clinic.crisis_resources = f["clinic crisis resources"].all()
    clinic.address = f["clinic address"].all()
    clinic.save()

    # Journal entries: each kind, every worded answer holding the whole corpus; the short
    # title and recipient packed over as many entries as they need. All shared.
    kind_names = list(kinds.KINDS)
    titles = f["journal title"].chunks(200)
    recipients = f["journal recipient (unsent letter)"].chunks(200)
    bodies = {k: f[f"journal body ({k})"].all() for k in kind_names}
    answers = {q: f[f"journal answer {q}"].all() for q in kinds.WORDED_ANSWERS}
    specs = [(k, "", "my younger self" if k == "unsent_letter" else "") for k in kind_names]
    specs += [("unsent_letter", "", r) for r in recipients]
    specs += [("free_writing", "", "")] * max(0, len(titles) - len(specs))
    specs = [(k, titles[n] if n < len(titles) else "", r) for n, (k, _, r) in enumerate(specs)]
    for n, (kind, title, recipient) in enumerate(specs):
        entry_kind = kinds.get(kind)
        data = {q.name: answers[q.name] for q in entry_kind.questions if q.is_words}
        data |= {q.name: 5 for q in entry_kind.questions if q.type == "scale"}
        entry = JournalEntry.objects.create(
            patient=a, kind=kind, local_date=TODAY, title=title, recipient=recipient,
            body=bodies[kind], data=data, visibility=JournalEntry.Visibility.CARE_TEAM,
            status=JournalEntry.Status.SAVED, shared_at=NOW,
        )
        extra[f"patient_a entry {n}"] = reverse("journaling:journal_entry", args=[entry.pk])
        extra[f"patient_a edit {n}"] = reverse("journaling:journal_edit", args=[entry.pk])

    categories = StressorItem.Category.values
    for n, text in enumerate(f["stressor"].chunks(500)):
        add_stressor(a, categories[n % len(categories)], text, local_date=TODAY)

    save_checkin(a, TODAY, 4, 5, 6, note=f["check-in note"].all())
    daily = Enrolment.objects.get(patient=a, version__program__slug="daily")
    complete_exercise(a, daily, daily.version.exercises.get(), TODAY,
                      note=f["completion note"].all())

    # Cohorts: the group's name and place, and more cohorts for the names that do not fit.
    names = f["cohort name"].chunks(200)
    w.cohort.name = names.pop(0)
    w.cohort.location = f["cohort location"].first(200)
    w.cohort.save()
    for n, name in enumerate(names):
        c = Cohort.objects.create(clinic_id=doc.clinic_id, version=w.version, name=name,
                                  start_date=dt.date(2026, 4, 6) + dt.timedelta(days=n),
                                  meeting_time=dt.time(18, 0), capacity=8, location="Room 1")
        c.facilitators.add(doc)

    occurrence = w.occurrences[0]
    occurrence.location = f["session place"].first(200, start=5)
    occurrence.save()
    Screening.objects.create(patient=a, program=w.version.program, decided_by=doc,
                             decided_on=dt.date(2026, 3, 2), outcome="cleared",
                             reason=f["screening reason"].all())
    Invitation.objects.filter(pk=m.values["invitation_id"]).update(
        outcome_note=f["invitation outcome note"].all())
    # Not here: the clinic's phone, refused unless it is a phone number (tests/recovery/
    # test_admin.py); a pause's reason, a clinician's title and credentials, shown nowhere yet.

    # Visit notes: a held visit in the report's period, and the notes of the one to come.
    held, _ = visits.schedule(a, doc, dt.datetime(2026, 3, 5, 15, 0, tzinfo=dt.UTC))
    visits.record(held, status=FollowUpVisit.Status.DONE, summary=f["visit summary"].all(),
                  discussed=f["visit discussed"].all(), plan=f["visit plan"].all(), now=NOW)

    acknowledged = _alert_for(a)
    alerts.acknowledge(acknowledged, doc, f["alert acknowledgement note"].all())
    _alert_for(a)  # and one still open

    # A curriculum written by an admin: a draft holding the corpus, published, A enrolled.
    program = Program.objects.create(slug="xss", title=f["programme title"].first(200, FIRST_FORMULA + 1),
                                     summary=f["programme summary"].all(),
                                     source=f["programme source"].all())
    version = ProgramVersion.objects.create(
        program=program, number=1, title=f["version title"].first(200, FIRST_FORMULA + 2),
        description=f["version description"].all(), changelog=f["version changelog"].all(),
        source=f["version source"].all(),
    )
    Week.objects.create(version=version, number=1, title=f["week title"].first(200),
                        goals=f["week goals"].all(), education=f["week education"].all())
    ExerciseTemplate.objects.create(
        version=version, slug="x", kind="expressive_writing", title=f["exercise title"].first(200),
        instructions=f["exercise instructions"].all(), prompt=f["exercise prompt"].all(),
        weeks=[1],
    )
    Session.objects.create(version=version, slug="s", kind="individual",
                           title=f["session title"].first(200), week=1, day=1,
                           duration_minutes=45, agenda=f["session agenda"].all(),
                           aims=f["session aims"].all())
    version.status = ProgramVersion.Status.PUBLISHED
    version.save()
    Enrolment.objects.create(patient=a, clinician=doc, version=version, start_date=TODAY)
    extra["clinic_admin preview"] = reverse("admin:programs_programversion_preview",
                                            args=[version.pk])
    extra["clinician_a dashboard page 2"] = "/clinic/?page=2"
    return f, extra


# --- reading the answers ------------------------------------------------------------------


def test_the_inspector_catches_an_unescaped_payload():
    """The checks are not vacuous: a page that printed user text with |safe is caught."""
    corpus = [payload(0, i) for i in range(len(TEMPLATES))]
    for p in corpus:
        if "<" not in p:
            continue
        problems, _ = inspect_html(f"<main><p>{p}</p></main>", corpus)
        assert problems, p
    clean = "".join(f"<p>{escape(p)}</p>" for p in corpus)
    problems, text = inspect_html(clean, corpus)
    assert problems == []
    assert all(p in text for p in corpus)
    link, _ = inspect_html('<a href="javascript:alert(1)">x</a>', [])
    assert link


def escape_html(text: str) -> str:
    from django.utils.html import escape

    return escape(text)


# --- the test -----------------------------------------------------------------------------

READERS = ("patient_a", "clinician_a", "clinic_admin")


def pages(m: Matrix, extra: dict[str, str]) -> list[tuple[str, str]]:
    """(reader, url): every page the matrix lets a reader GET, then the extra ones."""
    found: list[tuple[str, str]] = []
    for reader in READERS:
        for name, args in sorted(all_patterns().items()):
            rule = rule_for(name)
            if rule is None or "ok" not in expected(rule, reader, "GET"):
                continue
            if name in ("account_logout", "journaling:my_data_delete", "healthz", "favicon",
                        "media"):
                continue
            found.append((reader, url_for(m, name, args)))
    for label, url in extra.items():
        found.append((label.split(" ")[0], url))
    return found


def admin_pages() -> list[str]:
    urls = []
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:3]:
            try:
                urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk]))
            except NoReverseMatch:
                continue
    return urls


def test_xss_corpus_through_every_free_text_field(matrix: Matrix, monkeypatch):  # noqa: F811
    import weasyprint

    sources: list[str] = []
    real_html = weasyprint.HTML

    def spy(*args, **kwargs):  # the HTML WeasyPrint is given, kept to be inspected
        if "string" in kwargs:
            sources.append(kwargs["string"])
        return real_html(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", spy)
    problems: list[str] = []
    texts: list[str] = []
    pdf_texts: list[str] = []
    seen_kinds: set[str] = set()
    with time_machine.travel(NOW, tick=False):
        fields, extra = write_everything(matrix)
        corpus = [payload(fl.no, i) for fl in fields.by_name.values() for i in fl.written]
        clients: dict[str, Client] = {r: client_as(matrix, r) for r in READERS}
        targets = pages(matrix, extra) + [("clinic_admin", u) for u in admin_pages()]

        def read(reader: str, url: str) -> None:
            response = clients[reader].get(url)
            where = f"{reader} GET {url}"
            if response.status_code >= 500:
                problems.append(f"{where}: {response.status_code}")
                return
            if response.status_code != 200:
                return
            content_type = response.get("Content-Type", "")
            body = (b"".join(response.streaming_content) if response.streaming
                    else response.content)
            if "html" in content_type:
                found, text = inspect_html(body.decode(), corpus)
                problems.extend(f"{where}: {p}" for p in found)
                texts.append(text)
                seen_kinds.add("html")
            elif "pdf" in content_type:
                pdf_texts.append(pdf_text(body))
                seen_kinds.add("pdf")
            elif "json" in content_type:
                try:
                    texts.append(json.dumps(json.loads(body), ensure_ascii=False))
                    seen_kinds.add("json")
                except ValueError as exc:
                    problems.append(f"{where}: invalid JSON ({exc})")
            elif "csv" in content_type:
                problems.extend(f"{where}: {p}" for p in dict.fromkeys(csv_problems(body.decode())))
                texts.append(body.decode())
                seen_kinds.add("csv")

        for reader, url in targets:
            read(reader, url)
        # My data's PDF is prepared by the worker: run its job here, then read its pages.
        job_url = clients["patient_a"].post(reverse("journaling:my_data_pdf"))["Location"]
        export_jobs.run(int(job_url.strip("/").split("/")[-1]))
        read("patient_a", job_url)
        read("patient_a", job_url + "download/")

    assert {"html", "pdf", "json", "csv"} <= seen_kinds, seen_kinds
    assert len(pdf_texts) >= 3, "the report (clinician and admin) and My data's PDF were read"
    for n, source in enumerate(sources):
        found, text = inspect_html(source, corpus)
        problems += [f"PDF source {n}: {p}" for p in found]
    assert not problems, f"{len(problems)} injections:\n" + "\n".join(problems[:60])

    # Kept literally: every payload of every field is read somewhere, word for word.
    everything = "\n".join(texts)
    missing = [f"{fl.name}: {payload(fl.no, i)!r}" for fl in fields.by_name.values()
               for i in sorted(fl.written) if payload(fl.no, i) not in everything]
    assert not missing, f"{len(missing)} payloads never shown as text:\n" + "\n".join(missing[:60])
    assert "{{7*7}}" in everything and "{% debug %}" in everything  # template syntax stays text

    # The PDFs print what was written as text (line breaks aside), for the fields they hold.
    printed = squeeze("\n".join(pdf_texts))
    in_pdf = ["visit summary", "journal body (free_writing)", "check-in note", "stressor"]
    absent = [f"{name}: {p!r}" for name in in_pdf for i in sorted(fields[name].written)
              if squeeze(p := payload(fields[name].no, i)) not in printed
              and not ("\u202e" in p and MARKER.search(p)[0][::-1] in printed)]
    assert not absent, f"{len(absent)} payloads not in the PDFs' text:\n" + "\n".join(absent[:40])
