"""The PDF progress report, read back as text (pdftotext): patient, programme, period,
adherence, a score with its change, flags, the consent rule for shared entries; A4 vs Letter;
period checks; the read audited; chart labels legible at 90 days."""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import subprocess

import pytest
import time_machine
from django.urls import reverse

from clinicians import report_options
from journaling import charts
from journaling.models import CheckIn, ExerciseCompletion, JournalEntry
from outcomes import scoring
from outcomes.definitions import import_directory
from outcomes.models import QuestionnaireResponse, SafetyAlert
from recovery.models import AuditEvent
from tests.conftest import client_for, service_unavailable
from tests.factories import ClinicianFactory, PatientFactory, enrol, published_version

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 12)
V = JournalEntry.Visibility


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC), tick=False):
        yield


def pdf_text(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        service_unavailable("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(out.stdout.decode().split())


def page_size_points(pdf: bytes) -> tuple[float, float]:
    """The first page's size in points, as pdfinfo reads it."""
    if not shutil.which("pdfinfo"):
        service_unavailable("pdfinfo (poppler-utils) is not installed")
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    match = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", out.stdout.decode())
    assert match, out.stdout
    return float(match.group(1)), float(match.group(2))


class Case:
    def __init__(self) -> None:
        self.doc = ClinicianFactory(email="doc@example.test")
        self.doc.clinician_profile.display_name = "Dr Ana Rivera"
        self.doc.clinician_profile.save()
        self.patient = PatientFactory(email="maya@example.test", time_zone="UTC")
        profile = self.patient.patient_profile
        profile.display_name = "Maya Okafor"
        profile.save()
        self.version = published_version("home")  # one daily writing exercise, one week
        self.enrolment = enrol(self.patient, self.doc, self.version, start=TODAY - dt.timedelta(days=6))
        exercise = self.version.exercises.get()
        for i in (0, 1, 2):  # 3 of 7 days done
            day = TODAY - dt.timedelta(days=6 - i)
            ExerciseCompletion.objects.create(
                patient=self.patient, enrolment=self.enrolment, exercise=exercise, local_date=day
            )
        for i in range(7):
            CheckIn.objects.create(
                patient=self.patient, local_date=TODAY - dt.timedelta(days=i), pain=6 - i % 3,
                stress=4, mood=5,
            )
        phq9 = {r.version.code: r.version for _, r in import_directory()}["PHQ-9"]
        for day, total, band in ((TODAY - dt.timedelta(days=20), 16, "moderately severe"),
                                 (TODAY - dt.timedelta(days=2), 7, "mild")):
            QuestionnaireResponse.objects.create(
                patient=self.patient, version=phq9, local_date=day, status="submitted",
                score=total, band=band, valid=True, submitted_at=dt.datetime.now(dt.UTC),
            )
        for body, visibility, status in (
            ("SHARED-WORDS about the flare at work", V.CARE_TEAM, "saved"),
            ("PRIVATE-WORDS never printed", V.PRIVATE, "saved"),
            ("DRAFT-SHARED-WORDS half written", V.CARE_TEAM, "draft"),
        ):
            JournalEntry.objects.create(
                patient=self.patient, body=body, kind="free_writing", visibility=visibility,
                status=status, local_date=TODAY - dt.timedelta(days=1),
            )

    def pdf(self, **params) -> bytes:
        url = reverse("clinicians:patient_report_pdf", args=[self.patient.pk])
        response = client_for(self.doc).get(url, params)
        assert response.status_code == 200, response.content[:500]
        assert response["Content-Type"] == "application/pdf"
        assert "no-store" in response["Cache-Control"]
        return response.content


@pytest.fixture
def case() -> Case:
    return Case()


def test_the_report_says_who_what_when_and_how_they_are_doing(case):
    text = pdf_text(case.pdf())
    assert "Maya Okafor" in text and "Test programme" in text
    assert "Week 1, day 7" in text
    start = TODAY - dt.timedelta(days=report_options.DEFAULT_DAYS - 1)
    assert f"{start:%-d %b %Y} – {TODAY:%-d %b %Y} (28 days)" in text
    assert "43% 3 of 7 exercises due were done (43%)." in text
    assert "PHQ-9" in text and "16 · moderately severe" in text and "7 · mild" in text
    assert scoring.change("PHQ-9", 16, 7) in text
    assert "Pain" in text and "Dr Ana Rivera" in text
    event = AuditEvent.objects.get(action="view_report")
    assert (event.actor_id, event.patient_id) == (case.doc.pk, case.patient.pk)


def test_shared_entries_only_with_consent_and_private_ones_never(case):
    without = pdf_text(case.pdf())
    assert "SHARED-WORDS" not in without and "PRIVATE-WORDS" not in without
    assert "has not agreed to their shared entries being printed" in without
    profile = case.patient.patient_profile
    profile.include_shared_entries_in_reports = True
    profile.save()
    with_consent = pdf_text(case.pdf())
    assert "SHARED-WORDS about the flare at work" in with_consent
    assert "PRIVATE-WORDS" not in with_consent and "DRAFT-SHARED-WORDS" not in with_consent


def test_flags_list_an_open_safety_alert(case):
    response = QuestionnaireResponse.objects.filter(patient=case.patient).first()
    SafetyAlert.objects.create(
        patient=case.patient, response=response, reason="PHQ-9 item 9 answered 2"
    )
    assert "Safety alert open since 12 Mar 2026: PHQ-9 item 9 answered 2" in pdf_text(case.pdf())


def test_a4_and_letter(case):
    width, height = page_size_points(case.pdf(paper="a4"))
    assert (round(width), round(height)) == (595, 842)
    width, height = page_size_points(case.pdf(paper="letter"))
    assert (round(width), round(height)) == (612, 792)


def test_a_chosen_period_is_printed_and_counted(case):
    text = pdf_text(case.pdf(**{"from": "2026-03-10", "to": "2026-03-12"}))
    assert "10 Mar 2026 – 12 Mar 2026 (3 days)" in text
    assert "0 of 3 exercises due were done (0%)." in text


@pytest.mark.parametrize(
    "params, message",
    [
        ({"from": "2026-13-01"}, "is not a date"),
        ({"from": "2026-03-12", "to": "2026-03-01"}, "must start on or before"),
        ({"to": "2026-03-20"}, "cannot end after today"),
        ({"from": "2024-01-01", "to": "2026-03-01"}, "at most 365 days"),
        ({"paper": "a3"}, "Choose A4 or Letter"),
    ],
)
def test_odd_periods_get_a_clear_message_not_a_pdf(case, params, message):
    url = reverse("clinicians:patient_report_pdf", args=[case.patient.pk])
    response = client_for(case.doc).get(url, params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_the_form_page_offers_the_default_period(case):
    response = client_for(case.doc).get(reverse("clinicians:patient_report", args=[case.patient.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="2026-02-13"' in body and 'value="2026-03-12"' in body


def test_another_clinician_gets_404_and_nothing_is_audited(case):
    other = ClinicianFactory(email="other@example.test")
    url = reverse("clinicians:patient_report_pdf", args=[case.patient.pk])
    assert client_for(other).get(url).status_code == 404
    assert client_for(case.patient).get(url).status_code == 404
    assert not AuditEvent.objects.filter(action="view_report").exists()


def test_no_duplicate_anchors_in_the_pdf(case, caplog):
    """Several pygal charts in one document: WeasyPrint warns of an id used twice otherwise."""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        case.pdf()
    assert not [r for r in caplog.messages if "Anchor defined twice" in r], caplog.messages


def x_labels(svg: str) -> list[tuple[float, str]]:
    """The dated labels under a trend chart, with their x positions."""
    axis = svg[svg.index('class="axis x'):]
    axis = axis[: axis.index("</g></g>") if "</g></g>" in axis else len(axis)]
    return [(float(x), t) for x, t in re.findall(r'<text x="([\d.]+)"[^>]*class="major">([^<]+)<', axis)]


@pytest.mark.parametrize("days", [28, 90, report_options.MAX_DAYS])
def test_trend_chart_labels_do_not_overlap(days):
    end = TODAY
    start = end - dt.timedelta(days=days - 1)
    svg = charts.trend_svg([charts.ScorePoint(end, 3, 4, 5)], start, end)
    labels = x_labels(svg)
    assert 2 <= len(labels) <= charts.MAX_X_LABELS
    assert labels[-1][1] == f"{end.day} {end:%b}"  # the newest day is named
    # "17 Feb" at the 17-unit label size is about 55 units wide.
    xs = [x for x, _ in labels]
    assert min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= 56
