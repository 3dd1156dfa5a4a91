import datetime as dt

import pytest

from journaling.models import CheckIn, JournalEntry
from tests.conftest import client_for
from tests.factories import PatientFactory, enrol, published_version


@pytest.mark.django_db
def test_dashboard_lists_only_my_patients(clinician, other_clinician, patient):
    version = published_version()
    enrol(patient, clinician, version)
    stranger = PatientFactory(email="stranger@example.test")
    enrol(stranger, other_clinician, version)
    CheckIn.objects.create(patient=patient, local_date=dt.date(2026, 1, 5), pain=4, stress=3, mood=6)
    body = client_for(clinician).get("/clinic/").content.decode()
    assert "pat@example.test" in body
    assert "stranger@example.test" not in body
    assert "pain 4/10" in body


@pytest.mark.django_db
def test_dashboard_query_count_is_fixed(clinician, django_assert_max_num_queries):
    version = published_version()
    for i in range(6):
        p = PatientFactory(email=f"p{i}@example.test")
        enrol(p, clinician, version)
        JournalEntry.objects.create(
            patient=p, local_date=dt.date.today(), body="x", visibility="care_team", status="saved"
        )
    client = client_for(clinician)
    with django_assert_max_num_queries(12):
        response = client.get("/clinic/")
    assert response.content.decode().count("1 shared entry") == 6


@pytest.mark.django_db
def test_patient_cannot_open_clinic(patient_client):
    assert patient_client.get("/clinic/").status_code == 404
