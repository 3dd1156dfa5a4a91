"""My data: the consent to shared entries in printed reports, and "Who opened my record" (the
patient's view of the audit trail: their own rows only, staff reads, newest first, paged)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory
from django.urls import reverse

from journaling.views.mydata import ACCESS_PAGE_SIZE
from recovery import audit
from recovery.models import AuditEvent, PatientProfile
from tests.factories import AdminFactory, ClinicianFactory, PatientFactory

pytestmark = pytest.mark.django_db


def read(actor, patient, action="view_shared_journal"):
    request = RequestFactory().get("/clinic/")
    request.user = actor
    audit.record(request, action, patient=patient)


def test_consent_is_off_until_the_patient_turns_it_on(patient, patient_client):
    assert patient.patient_profile.include_shared_entries_in_reports is False
    page = patient_client.get(reverse("journaling:my_data")).content.decode()
    assert "Let my care team include my shared entries in printed reports" in page
    url = reverse("journaling:my_data_report_consent")
    for _ in range(2):  # sending it twice changes nothing more
        response = patient_client.post(url, {"include": ["0", "1"]})
        assert response.status_code == 302
    assert PatientProfile.objects.get(user=patient).include_shared_entries_in_reports
    page = patient_client.get(reverse("journaling:my_data")).content.decode()
    assert 'value="1" checked' in page
    patient_client.post(url, {"include": "0"})
    assert not PatientProfile.objects.get(user=patient).include_shared_entries_in_reports


def test_consent_is_the_patients_own(clinician_client):
    url = reverse("journaling:my_data_report_consent")
    assert clinician_client.post(url, {"include": "1"}).status_code == 404
    assert clinician_client.get(reverse("journaling:my_data_access")).status_code == 404


def test_the_patient_sees_only_staff_reads_of_their_own_record(patient, patient_client):
    doc = ClinicianFactory(email="doc@example.test")
    doc.clinician_profile.display_name = "Dr Ana Rivera"
    doc.clinician_profile.save()
    admin = AdminFactory(email="boss@example.test")
    someone_else = PatientFactory(email="else@example.test")
    read(doc, patient, "view_shared_journal")
    read(admin, patient, "admin_view_user")
    read(doc, someone_else, "view_report")  # about someone else: never shown
    read(patient, patient, "view_report")  # their own reading: not recorded at all
    AuditEvent.objects.create(patient=patient, action="patient_data_deleted")  # no actor
    body = patient_client.get(reverse("journaling:my_data_access")).content.decode()
    assert "Dr Ana Rivera" in body and "(Clinician)" in body
    assert "read your shared journal entries" in body
    assert "boss@example.test" in body and "(Admin)" in body
    assert "made a progress report" not in body  # the other patient's row
    assert body.index("boss@example.test") < body.index("Dr Ana Rivera")  # newest first
    assert "Who opened my record" in patient_client.get(reverse("journaling:my_data")).content.decode()


def test_the_access_page_is_paged_and_keeps_the_name_the_reader_had(patient, patient_client):
    doc = ClinicianFactory(email="doc@example.test")
    start = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
    for i in range(ACCESS_PAGE_SIZE + 3):
        AuditEvent.objects.create(
            actor=doc, patient=patient, action="view_patient", at=start + dt.timedelta(hours=i)
        )
    doc.delete()
    url = reverse("journaling:my_data_access")
    first = patient_client.get(url).content.decode()
    assert first.count("doc@example.test") == ACCESS_PAGE_SIZE and "Page 1 of 2" in first
    second = patient_client.get(url, {"page": 2}).content.decode()
    assert second.count("doc@example.test") == 3
    assert patient_client.get(url, {"page": "nonsense"}).status_code == 200
