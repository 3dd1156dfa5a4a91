"""clinicians.access, tested directly with the personas: who sees which patient, cohort and
journal entry. Views are tested against it in test_views_use_access.py."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.http import Http404
from django.test import RequestFactory

from clinicians import access
from journaling.models import JournalEntry
from programs import cohorts
from recovery.models import AuditEvent
from tests.factories import AdminFactory, ClinicFactory, ClinicianFactory, PatientFactory
from tests.programs.test_cohorts import enrol, make_cohort, make_version, ny_clinic

pytestmark = pytest.mark.django_db

V, S = JournalEntry.Visibility, JournalEntry.Status


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC), tick=False):
        yield


class World:
    """The personas: a patient with a responsible clinician and a cohort facilitator; a
    colleague of the same clinic responsible for another patient; the clinic's admin; a
    clinician and an admin of another clinic."""

    def __init__(self) -> None:
        ny_clinic()
        self.version = make_version(weeks=3)
        self.responsible = ClinicianFactory(email="responsible@example.test")
        self.facilitator = ClinicianFactory(email="facilitator@example.test")
        self.colleague = ClinicianFactory(email="colleague@example.test")
        self.admin = AdminFactory(email="admin@example.test")
        elsewhere = ClinicFactory()
        self.foreign_clinician = ClinicianFactory(clinic=elsewhere)
        self.foreign_admin = AdminFactory(clinic=elsewhere)
        self.patient = PatientFactory(email="pat@example.test")
        self.other_patient = PatientFactory(email="other@example.test")
        self.foreign_patient = PatientFactory(clinic=elsewhere)
        self.enrolment = enrol(self.patient, self.responsible, self.version)
        self.other_enrolment = enrol(self.other_patient, self.colleague, self.version)
        self.cohort = make_cohort(self.version, self.facilitator, name="Monday group")
        cohorts.join_cohort(self.cohort, self.enrolment, self.facilitator)
        self.occurrences = cohorts.generate_occurrences(self.cohort)

    @property
    def everyone(self):
        return [
            self.responsible, self.facilitator, self.colleague, self.admin,
            self.foreign_clinician, self.foreign_admin, self.patient, self.other_patient,
        ]


@pytest.fixture
def w() -> World:
    return World()


def request_as(user):
    request = RequestFactory().get("/clinic/somewhere/")
    request.user = user
    return request


# --- patients ---------------------------------------------------------------------------------


def test_patients_for_each_persona(w):
    expected = {
        w.responsible: {w.patient},
        w.facilitator: {w.patient},
        w.colleague: {w.other_patient},
        w.admin: {w.patient, w.other_patient},
        w.foreign_clinician: set(),
        w.foreign_admin: {w.foreign_patient},
        w.patient: set(),
        w.other_patient: set(),
    }
    for user, patients in expected.items():
        assert set(access.patients_for(user)) == patients, user.email


def test_get_patient_for_finds_and_audits_in_one_call(w):
    for user in (w.responsible, w.facilitator, w.admin):
        found = access.get_patient_for(request_as(user), w.patient.pk, "view_thing", page=2)
        assert found == w.patient
        event = AuditEvent.objects.filter(actor=user).get()
        assert (event.action, event.patient, event.detail) == ("view_thing", w.patient, {"page": 2})


def test_get_patient_for_is_404_outside_the_care_team_and_audits_nothing(w):
    for user in (w.colleague, w.foreign_clinician, w.foreign_admin, w.patient, w.other_patient):
        with pytest.raises(Http404):
            access.get_patient_for(request_as(user), w.patient.pk, "view_thing")
    for garbage in ("x", None, "", 10**9):
        with pytest.raises(Http404):
            access.get_patient_for(request_as(w.admin), garbage, "view_thing")
    assert not AuditEvent.objects.exists()


# --- the shared part of a journal ------------------------------------------------------------


_N = itertools.count()


def _entry(patient, visibility, status):
    return JournalEntry.objects.create(
        patient=patient, local_date=dt.date(2026, 3, 10), visibility=visibility, status=status,
        body="" if visibility == V.RELEASED else f"words {next(_N)}",
    )


def test_shared_journal_is_saved_shared_entries_of_the_care_team_only(w):
    entries = {(v, s): _entry(w.patient, v, s) for v in V.values for s in S.values}
    shared = entries[(V.CARE_TEAM, S.SAVED)]
    for user in (w.responsible, w.facilitator, w.admin):
        assert list(access.shared_journal_for(user, w.patient)) == [shared]
    for user in (w.colleague, w.foreign_clinician, w.foreign_admin, w.patient, w.other_patient):
        assert not access.shared_journal_for(user, w.patient).exists()
    # JournalEntry.is_shared (one row) says what .shared() (a queryset) says.
    for entry in entries.values():
        assert entry.is_shared == JournalEntry.objects.shared().filter(pk=entry.pk).exists()


def test_with_shared_count(w):
    _entry(w.patient, V.CARE_TEAM, S.SAVED)
    _entry(w.patient, V.CARE_TEAM, S.DRAFT)
    _entry(w.patient, V.PRIVATE, S.SAVED)
    counts = {p.pk: p.shared_count for p in access.with_shared_count(access.patients_for(w.admin))}
    assert counts == {w.patient.pk: 1, w.other_patient.pk: 0}


# --- cohorts ---------------------------------------------------------------------------------


def test_cohorts_for_and_can_run(w):
    runs = {w.facilitator, w.admin}
    for user in w.everyone:
        assert set(access.cohorts_for(user)) == ({w.cohort} if user in runs else set()), user.email
        assert access.can_run(w.cohort, user) == (user in runs)
        if user in runs:
            assert access.get_cohort_for(user, w.cohort.pk) == w.cohort
        else:
            with pytest.raises(Http404):
                access.get_cohort_for(user, w.cohort.pk)


def test_members_and_meetings_are_found_only_in_their_cohort(w):
    assert access.get_member_for(w.cohort, w.patient.pk) == w.patient
    assert list(access.members_of(w.cohort)) == [w.patient]
    with pytest.raises(Http404):
        access.get_member_for(w.cohort, w.other_patient.pk)
    assert access.get_occurrence_for(w.cohort, w.occurrences[0].pk) == w.occurrences[0]
    other = make_cohort(w.version, w.facilitator, name="Other")
    (elsewhere, *_rest) = cohorts.generate_occurrences(other)
    with pytest.raises(Http404):
        access.get_occurrence_for(w.cohort, elsewhere.pk)
    with pytest.raises(Http404):
        access.get_occurrence_for(w.cohort, "nope")


def test_joinable_enrolments_are_the_care_teams(w):
    assert list(access.joinable_enrolments(w.cohort, w.colleague)) == [w.other_enrolment]
    assert list(access.joinable_enrolments(w.cohort, w.admin)) == [w.other_enrolment]
    assert not access.joinable_enrolments(w.cohort, w.responsible).exists()  # already a member
    assert not access.joinable_enrolments(w.cohort, w.foreign_admin).exists()
    assert not access.joinable_enrolments(w.cohort, w.patient).exists()
