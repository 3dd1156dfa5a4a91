"""What a clinician can read of a patient's journal: the shared, saved entries, and only
for patients in their care team. Every read is audited."""

import datetime as dt

import pytest
from django.contrib import admin

from journaling.models import JournalEntry
from programs.models import (
    Cohort,
    CohortMembership,
)
from recovery.models import AuditEvent, Clinic
from tests.conftest import client_for
from tests.factories import AdminFactory, ClinicianFactory, PatientFactory, enrol, published_version

V = JournalEntry.Visibility




def _journal(patient):
    day = dt.date(2026, 1, 10)

    def make(body, **kw):
        fields = {"kind": "free_writing", "visibility": V.PRIVATE, "status": "saved", "local_date": day, **kw}
        return JournalEntry.objects.create(patient=patient, body=body, **fields)

    make("SHARED-SAVED words", visibility=V.CARE_TEAM, title="Shared one")
    make("", kind="symptom_emotion", visibility=V.CARE_TEAM, title="Flare",
         data={"happening": "SHARED-DATA the call", "emotions": ["guilt"]})
    make("PRIVATE-SAVED words", title="Private title")
    make("SHARED-DRAFT words", visibility=V.CARE_TEAM, status="draft", title="Draft title")
    make("PRIVATE-DRAFT words", status="draft")
    make("", visibility=V.RELEASED, minutes=20)


@pytest.fixture
def version(db):
    return published_version()


@pytest.mark.django_db
def test_my_clinician_sees_only_shared_saved_entries_and_the_read_is_audited(
    patient, clinician, clinician_client, version
):
    enrol(patient, clinician, version)
    _journal(patient)
    response = clinician_client.get(f"/clinic/patients/{patient.pk}/journal/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "SHARED-SAVED words" in body and "SHARED-DATA the call" in body and "Guilt" in body
    for hidden in ("PRIVATE-SAVED", "Private title", "SHARED-DRAFT", "Draft title", "PRIVATE-DRAFT",
                   "20 min"):
        assert hidden not in body, hidden
    assert body.count("<article") == 2  # the released entry is not listed either
    event = AuditEvent.objects.get(action="view_shared_journal")
    assert event.actor == clinician and event.patient == patient
    assert len(event.detail["entries"]) == 2


@pytest.mark.django_db
def test_a_cohort_facilitator_reads_the_shared_journal(patient, clinician, version):
    facilitator = ClinicianFactory(email="facilitator@example.test")
    enrolment = enrol(patient, clinician, version)
    cohort = Cohort.objects.create(clinic=patient.clinic, version=version, name="Spring group",
                                   start_date=dt.date.today())
    cohort.facilitators.add(facilitator)
    CohortMembership.objects.create(cohort=cohort, enrolment=enrolment)
    _journal(patient)
    body = client_for(facilitator).get(f"/clinic/patients/{patient.pk}/journal/").content.decode()
    assert "SHARED-SAVED words" in body and "PRIVATE-SAVED" not in body


@pytest.mark.django_db
def test_another_clinician_gets_404_and_nothing_is_audited_as_read(
    patient, clinician, other_clinician_client, version
):
    enrol(patient, clinician, version)
    _journal(patient)
    response = other_clinician_client.get(f"/clinic/patients/{patient.pk}/journal/")
    assert response.status_code == 404
    assert "SHARED" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="view_shared_journal").exists()
    assert other_clinician_client.get("/clinic/patients/999999/journal/").status_code == 404


@pytest.mark.django_db
def test_a_patient_of_another_clinic_is_404_even_with_an_enrolment(clinician, clinician_client, version):
    elsewhere = Clinic.objects.create(name="Elsewhere", slug="elsewhere")
    stranger = PatientFactory(email="far@example.test", clinic=elsewhere)
    enrol(stranger, clinician, version)  # a data error must still not cross clinics
    _journal(stranger)
    assert clinician_client.get(f"/clinic/patients/{stranger.pk}/journal/").status_code == 404
    assert "far@example.test" not in clinician_client.get("/clinic/").content.decode()


@pytest.mark.django_db
def test_patients_cannot_open_clinician_pages(patient, patient_client):
    assert patient_client.get("/clinic/patients/").status_code == 404
    assert patient_client.get(f"/clinic/patients/{patient.pk}/journal/").status_code == 404


@pytest.mark.django_db
def test_the_caseload_shows_only_my_patients_with_their_shared_count(
    patient, clinician, other_clinician, clinician_client, version, django_assert_max_num_queries
):
    enrol(patient, clinician, version)
    _journal(patient)
    for i in range(5):
        enrol(PatientFactory(email=f"p{i}@example.test"), clinician, version)
    enrol(PatientFactory(email="theirs@example.test"), other_clinician, version)
    # The old list's address leads to the caseload, the one list of patients.
    assert clinician_client.get("/clinic/patients/")["Location"] == "/clinic/"
    response = clinician_client.get("/clinic/")
    body = response.content.decode()
    assert "pat@example.test" in body and "p4@example.test" in body
    assert "theirs@example.test" not in body
    assert "2 shared entries" in body
    assert f"/clinic/patients/{patient.pk}/journal/" in body
    assert AuditEvent.objects.filter(action="view_caseload", actor=clinician).exists()


@pytest.mark.django_db
def test_shared_journal_query_count_is_fixed(patient, clinician, clinician_client, version,
                                             django_assert_max_num_queries):
    enrol(patient, clinician, version)
    exercise = version.exercises.get()
    for i in range(25):
        JournalEntry.objects.create(patient=patient, body=f"entry {i}", visibility=V.CARE_TEAM,
                                    status="saved", exercise=exercise,
                                    local_date=dt.date(2026, 1, 1) + dt.timedelta(days=i))
    with django_assert_max_num_queries(9):
        response = clinician_client.get(f"/clinic/patients/{patient.pk}/journal/")
    body = response.content.decode()
    assert body.count("<article") == 20
    assert "entry 24" in body and "for “Write”" in body
    assert "entry 0<" not in body
    page2 = clinician_client.get(f"/clinic/patients/{patient.pk}/journal/?page=2").content.decode()
    assert page2.count("<article") == 5


@pytest.mark.django_db
def test_no_staff_page_shows_journal_entries():
    """JournalEntry stays out of the admin, so no changelist can show private words."""
    assert not admin.site.is_registered(JournalEntry)
    client = client_for(AdminFactory(email="admin@example.test"))
    assert client.get("/admin/journaling/journalentry/").status_code == 404
    assert client.get("/admin/").status_code == 200
