"""The programme outcomes page (/clinic/outcomes/ and its CSV) and the patient's FHIR Bundle
(/clinic/patients/<id>/fhir/)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse

from outcomes.definitions import import_directory
from programs import enrolments
from recovery.models import AuditEvent
from tests.conftest import client_for
from tests.factories import AdminFactory, ClinicianFactory, PatientFactory, enrol
from tests.outcomes.helpers import answer, scheduled_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(clinician):
    """Seven patients of `clinician` who completed a 1-week programme 100 days ago (start 107
    days ago): NRS at the end 0,0,0,0,0,1 and one unanswered (lost); PEG-3 baseline 8 and end
    5 in the six who answered (change -3, no spread)."""
    import_directory()
    version = scheduled_version([
        {"instrument": "NRS", "when": "end", "window_days": 14},
        {"instrument": "PEG-3", "when": "baseline", "window_days": 7},
        {"instrument": "PEG-3", "when": "end", "window_days": 14},
    ], weeks=1)
    today = clinician.local_today()
    start = today - dt.timedelta(days=107)
    ended = start + dt.timedelta(days=7)
    patients = []
    for i, nrs in enumerate([0, 0, 0, 0, 0, 1, None]):
        p = PatientFactory(clinic=clinician.clinic, email=f"p{i}@example.test")
        e = enrol(p, clinician, version, start=start)
        enrolments.complete(e, ended)
        if nrs is not None:
            answer(p, "NRS", ended + dt.timedelta(days=1), [nrs])
            answer(p, "PEG-3", start, [8, 8, 8])
            answer(p, "PEG-3", ended + dt.timedelta(days=1), [5, 5, 5])
        patients.append(p)
    return version, patients


def test_the_page_shows_the_figures_with_small_cells_and_an_audit_row(cohort, clinician_client):
    page = clinician_client.get(reverse("clinicians:outcomes")).content.decode()
    assert "Enrolled: 7. Completed: 7. Withdrawn: fewer than 5." in page
    assert "5 of 6 (83%)" in page  # pain-free (NRS 0) at the end
    assert "6 of 6 (100%)" in page  # pain-free or nearly (NRS <= 1)
    assert "-3.0 (95% CI -3.0 to -3.0; n = 6)" in page
    assert "fewer than 5 answered" in page  # 3, 6 and 12 months: nobody yet
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "<script" not in svg
    assert AuditEvent.objects.filter(action="view_programme_outcomes").exists()


def test_another_clinicians_patients_are_not_counted(cohort, other_clinician_client):
    page = other_clinician_client.get(reverse("clinicians:outcomes")).content.decode()
    assert "Enrolled: fewer than 5." in page and "p0@example.test" not in page


def test_junk_filters_show_everything_one_may_see(cohort, clinician_client):
    response = clinician_client.get(reverse("clinicians:outcomes") + "?version=x&clinician=999")
    assert response.status_code == 200
    assert "Enrolled: 7." in response.content.decode()


def test_csv_download(cohort, clinician, clinician_client):
    response = clinician_client.get(reverse("clinicians:outcomes_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["group", "measure", "timepoint"]
    by = {(r[0], r[1], r[2]): r for r in rows[1:]}
    assert by[("Selected patients", "enrolled", "")][3] == "7"
    assert by[("Selected patients", "withdrawn", "")][3] == "fewer than 5"
    assert by[("Selected patients", "pain-free (NRS 0)", "end")][3:] == ["5 of 6 (83%)", "6", "1"]
    assert by[("Selected patients", "pain-free or nearly (NRS <= 1)", "end")][3] == "6 of 6 (100%)"
    assert by[("Selected patients", "pain-free (NRS 0)", "6 months")][3] == "fewer than 5 answered"
    assert AuditEvent.objects.filter(action="export_programme_outcomes", actor=clinician).exists()


def test_a_clinician_who_reads_spanish_gets_the_figures_in_spanish_and_the_csv_in_english(
    cohort, clinician
):
    clinician.language = "es"
    clinician.save()
    client = client_for(clinician)
    page = client.get(reverse("clinicians:outcomes")).content.decode()
    assert "5 de 6 (83 %)" in page and "6 de 6 (100 %)" in page
    assert "-3,0 (IC del 95 %: -3,0 a -3,0; n = 6)" in page  # the decimal comma
    assert "menos de 5 respondieron" in page
    assert ">Final<" in page and ">6 meses<" in page  # the tables' timepoints
    assert "6 months" not in page and "fewer than 5" not in page
    rows = list(csv.reader(io.StringIO(client.get(reverse("clinicians:outcomes_csv")).content.decode())))
    by = {(r[0], r[1], r[2]): r for r in rows[1:]}
    assert by[("Selected patients", "pain-free (NRS 0)", "end")][3:] == ["5 of 6 (83%)", "6", "1"]
    assert by[("Selected patients", "pain-free (NRS 0)", "6 months")][3] == "fewer than 5 answered"


def test_the_clinics_admin_sees_the_clinic(cohort, clinician):
    admin = AdminFactory(clinic=clinician.clinic)
    page = client_for(admin).get(reverse("clinicians:outcomes")).content.decode()
    assert "Enrolled: 7." in page and "Every patient of your clinic" in page


# --- FHIR ------------------------------------------------------------------------------------


def test_fhir_bundle_for_the_care_team_only_and_audited(cohort, clinician, patient):
    _, patients = cohort
    url = reverse("clinicians:patient_fhir", args=[patients[0].pk])
    response = client_for(clinician).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    bundle = json.loads(response.content)
    assert bundle["resourceType"] == "Bundle"
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("QuestionnaireResponse") == 3
    assert AuditEvent.objects.filter(
        action="export_fhir", actor=clinician, patient=patients[0]
    ).exists()
    assert client_for(ClinicianFactory(clinic=clinician.clinic)).get(url).status_code == 404
    assert client_for(patients[0]).get(url).status_code == 404
    assert client_for(patient).get(url).status_code == 404
