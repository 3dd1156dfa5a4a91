"""Care teams (issue 9, item 2): explicit data, the only thing clinicians.access reads;
kept complete by enrolments and cohorts; managed from the patient's page; and people who
signed up alone wait outside every caseload until accepted."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clinicians import access, care_teams, joining
from clinicians.models import CareTeamMember
from programs import cohorts
from tests.clinicians.test_access import World, frozen_clock  # noqa: F401  (fixture)
from tests.conftest import client_for
from tests.factories import ClinicianFactory, PatientFactory
from tests.programs.test_cohorts import enrol

pytestmark = pytest.mark.django_db
Role = CareTeamMember.Role


@pytest.fixture
def w() -> World:
    return World()


def team(patient) -> dict[str, str]:
    return {m.clinician.email: m.role for m in care_teams.team_of(patient)}


def test_enrolment_and_cohort_fill_the_team(w):
    assert team(w.patient) == {
        "responsible@example.test": "primary", "facilitator@example.test": "other",
    }
    # A facilitator added later joins the members' teams too.
    late = ClinicianFactory(email="late@example.test")
    w.cohort.facilitators.add(late)
    assert team(w.patient)["late@example.test"] == "other"


def test_access_reads_the_care_team_only(w):
    assert w.patient not in access.patients_for(w.colleague)
    care_teams.add_member(w.patient, w.colleague, by=w.responsible)
    assert w.patient in access.patients_for(w.colleague)
    # Leaving the cohort does not take the facilitator off: the team is the data now.
    care_teams.remove_member(w.patient, w.colleague, by=w.responsible)
    assert w.patient not in access.patients_for(w.colleague)
    # Being responsible for an enrolment is not what access reads.
    CareTeamMember.objects.filter(patient=w.other_patient).delete()
    assert w.other_patient not in access.patients_for(w.colleague)


def test_one_primary_per_patient_in_the_database(w):
    with pytest.raises(IntegrityError), transaction.atomic():
        CareTeamMember.objects.filter(patient=w.patient).update(role=Role.PRIMARY)


def test_changing_the_primary_keeps_the_former_one(w):
    care_teams.set_primary(w.patient, w.facilitator, by=w.admin)
    assert team(w.patient) == {
        "responsible@example.test": "other", "facilitator@example.test": "primary",
    }


def test_primary_and_responsible_stay_while_the_enrolment_is_open(w):
    with pytest.raises(ValidationError, match="make someone else primary"):
        care_teams.remove_member(w.patient, w.responsible, by=w.admin)
    care_teams.set_primary(w.patient, w.facilitator, by=w.admin)
    with pytest.raises(ValidationError, match="responsible for"):
        care_teams.remove_member(w.patient, w.responsible, by=w.admin)
    assert care_teams.remove_member(w.patient, w.colleague, by=w.admin) is False


def test_only_clinicians_of_the_patients_clinic(w):
    for outsider in (w.foreign_clinician, w.admin, w.other_patient):
        with pytest.raises(ValidationError):
            care_teams.add_member(w.patient, outsider, by=w.responsible)


def test_data_migration_fills_teams_from_enrolments_and_cohorts(w):
    CareTeamMember.objects.all().delete()
    migration = __import__(
        "clinicians.migrations.0002_fill_care_teams", fromlist=["fill"]
    )
    migration.fill(apps, None)
    assert team(w.patient) == {
        "responsible@example.test": "primary", "facilitator@example.test": "other",
    }
    assert team(w.other_patient) == {"colleague@example.test": "primary"}


def test_care_team_views(w):
    client = client_for(w.responsible)
    url = f"/clinic/patients/{w.patient.pk}/enrolments/care-team"
    client.post(f"{url}/add/", {"clinician": w.colleague.pk})
    assert "colleague@example.test" in team(w.patient)
    page = client.get(f"/clinic/patients/{w.patient.pk}/enrolments/")
    assert "Care team" in page.content.decode()
    client.post(f"{url}/{w.colleague.pk}/primary/")
    assert team(w.patient)["colleague@example.test"] == "primary"
    # The colleague (now on the team) removes the facilitator; twice is harmless.
    other = client_for(w.colleague)
    for _ in range(2):
        assert other.post(f"{url}/{w.facilitator.pk}/remove/").status_code == 302
    assert "facilitator@example.test" not in team(w.patient)
    # Another clinic's clinician cannot be added, even by id.
    client.post(f"{url}/add/", {"clinician": w.foreign_clinician.pk})
    assert w.foreign_clinician.email not in team(w.patient)


def test_cohort_joining_through_the_gate_adds_facilitators(w):
    care = ClinicianFactory(email="second@example.test")
    w.cohort.facilitators.add(care)
    patient = PatientFactory(email="third@example.test")
    enrolment = enrol(patient, w.colleague, w.version)
    cohorts.join_cohort(w.cohort, enrolment, w.facilitator)
    assert team(patient) == {
        "colleague@example.test": "primary", "facilitator@example.test": "other",
        "second@example.test": "other",
    }


# --- people who signed up alone ---------------------------------------------------------------


def test_waiting_people_are_in_no_caseload_until_accepted(w):
    alone = PatientFactory(email="alone@example.test")
    join = joining.request_to_join(alone)
    assert alone not in access.patients_for(w.admin)
    assert joining.landing(alone) == "/welcome/waiting/"
    listing = client_for(w.colleague).get("/clinic/invitations/").content.decode()
    assert "Waiting to join" in listing and "alone@example.test" in listing

    response = client_for(w.colleague).post(f"/clinic/invitations/waiting/{join.pk}/accept/")
    assert response.status_code == 302
    assert team(alone) == {"colleague@example.test": "primary"}
    assert alone in access.patients_for(w.admin) and alone in access.patients_for(w.colleague)
    assert joining.landing(alone) is None
    # A second click (or a colleague a moment later) changes nothing.
    client_for(w.responsible).post(f"/clinic/invitations/waiting/{join.pk}/accept/")
    assert team(alone) == {"colleague@example.test": "primary"}


def test_an_admin_accepts_naming_the_primary(w):
    alone = PatientFactory(email="alone@example.test")
    join = joining.request_to_join(alone)
    admin = client_for(w.admin)
    admin.post(f"/clinic/invitations/waiting/{join.pk}/accept/")  # no primary chosen
    assert joining.is_waiting(alone)
    admin.post(f"/clinic/invitations/waiting/{join.pk}/accept/", {"primary": w.colleague.pk})
    assert team(alone) == {"colleague@example.test": "primary"}


def test_waiting_page(w):
    alone = PatientFactory(email="alone@example.test")
    joining.request_to_join(alone)
    page = client_for(alone).get("/welcome/waiting/")
    assert "Waiting for your clinic" in page.content.decode()
    assert client_for(w.patient).get("/welcome/waiting/")["Location"] == "/"
