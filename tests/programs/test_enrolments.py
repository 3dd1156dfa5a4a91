"""An enrolment's life: enrol, pause, resume, complete, withdraw."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from programs import enrolments, versions
from programs.models import Enrolment, EnrolmentPause
from programs.schedule import plan_for
from tests.factories import AdminFactory, ClinicFactory, ClinicianFactory
from tests.programs.builders import build_version

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2025, 3, 3)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


# --- enrolling ------------------------------------------------------------------------------------


def test_enrol_takes_the_newest_published_version(patient, clinician) -> None:
    v1 = build_version(publish=True)
    versions.new_draft_from(v1)  # a draft is never chosen
    enrolment = enrolments.enrol(patient, clinician, MONDAY, program=v1.program)
    assert enrolment.version == v1 and enrolment.program == v1.program
    assert enrolment.status == Enrolment.Status.ACTIVE and enrolment.start_date == MONDAY


def test_enrol_refuses_without_a_published_version(patient, clinician) -> None:
    draft = build_version()
    with pytest.raises(ValidationError, match="has no published version yet"):
        enrolments.enrol(patient, clinician, MONDAY, program=draft.program)
    with pytest.raises(ValidationError, match="is draft; patients can only be enrolled"):
        enrolments.enrol(patient, clinician, MONDAY, version=draft)


def test_enrol_refuses_a_retired_version(patient, clinician) -> None:
    v1 = build_version(publish=True)
    versions.publish(versions.new_draft_from(v1))
    v1.refresh_from_db()
    with pytest.raises(ValidationError, match="is retired"):
        enrolments.enrol(patient, clinician, MONDAY, version=v1)


def test_enrol_refuses_across_clinics_and_wrong_roles(patient, clinician) -> None:
    version = build_version(publish=True)
    elsewhere = ClinicianFactory(clinic=ClinicFactory(slug="elsewhere"), totp=False)
    with pytest.raises(ValidationError, match="belong to different clinics"):
        enrolments.enrol(patient, elsewhere, MONDAY, version=version)
    with pytest.raises(ValidationError, match="is not a patient account"):
        enrolments.enrol(clinician, clinician, MONDAY, version=version)
    with pytest.raises(ValidationError, match="is not a clinician account"):
        enrolments.enrol(patient, AdminFactory(totp=False), MONDAY, version=version)
    assert not Enrolment.objects.exists()


def test_enrol_refuses_a_second_open_enrolment_in_the_programme(patient, clinician) -> None:
    version = build_version(publish=True)
    first = enrolments.enrol(patient, clinician, MONDAY, version=version)
    enrolments.pause(first, MONDAY + days(2))
    with pytest.raises(ValidationError, match="is already enrolled in"):
        enrolments.enrol(patient, clinician, MONDAY, program=version.program)
    enrolments.withdraw(first, MONDAY + days(3))
    again = enrolments.enrol(patient, clinician, MONDAY + days(10), program=version.program)
    assert again.pk != first.pk


def test_a_lost_race_on_the_constraint_gives_the_same_message(
    patient, clinician, monkeypatch
) -> None:
    version = build_version(publish=True)
    enrolments.enrol(patient, clinician, MONDAY, version=version)
    monkeypatch.setattr(enrolments, "enrolment_problems", lambda *a, **k: [])
    with pytest.raises(ValidationError, match="is already enrolled in"):
        enrolments.enrol(patient, clinician, MONDAY, version=version)
    assert Enrolment.objects.count() == 1  # and the transaction is still usable


# --- an enrolment's life ------------------------------------------------------------------------


@pytest.fixture
def enrolment(patient, clinician) -> Enrolment:
    version = build_version(publish=True)
    return enrolments.enrol(patient, clinician, MONDAY, version=version)


def test_pause_and_resume_shift_the_schedule(enrolment) -> None:
    enrolments.pause(enrolment, MONDAY + days(3), reason="Surgery")
    assert enrolment.status == Enrolment.Status.PAUSED
    assert enrolment.status_changed_on == MONDAY + days(3)
    assert plan_for(enrolment, MONDAY + days(4)).state == "paused"
    enrolments.resume(enrolment, MONDAY + days(8))
    assert enrolment.status == Enrolment.Status.ACTIVE
    pause = EnrolmentPause.objects.get()
    assert (pause.start, pause.end, pause.reason) == (MONDAY + days(3), MONDAY + days(8), "Surgery")
    # Programme day 4 (index 3) now falls on the resume date: five paused days later.
    assert plan_for(enrolment, MONDAY + days(8)).day_index == 3
    assert plan_for(enrolment, MONDAY + days(21 + 5)).state == "finished"
    assert plan_for(enrolment, MONDAY + days(20 + 5)).state == "active"


def test_repeated_transitions_change_nothing(enrolment) -> None:
    enrolments.pause(enrolment, MONDAY + days(3))
    enrolments.pause(enrolment, MONDAY + days(5))  # a double submit
    assert EnrolmentPause.objects.count() == 1
    assert enrolment.status_changed_on == MONDAY + days(3)
    enrolments.resume(enrolment, MONDAY + days(6))
    enrolments.resume(enrolment, MONDAY + days(9))
    assert EnrolmentPause.objects.get().end == MONDAY + days(6)
    enrolments.complete(enrolment, MONDAY + days(20))
    enrolments.complete(enrolment, MONDAY + days(25))
    assert enrolment.completed_on == MONDAY + days(20)


def test_a_pause_cannot_overlap_an_earlier_one_nor_resume_before_it(enrolment) -> None:
    enrolments.pause(enrolment, MONDAY + days(3))
    with pytest.raises(ValidationError, match="before the pause began"):
        enrolments.resume(enrolment, MONDAY + days(2))
    enrolments.resume(enrolment, MONDAY + days(6))
    with pytest.raises(ValidationError, match="an earlier pause ran until"):
        enrolments.pause(enrolment, MONDAY + days(5))


def test_complete_and_withdraw_end_the_plan_and_close_an_open_pause(enrolment) -> None:
    enrolments.pause(enrolment, MONDAY + days(3))
    enrolments.withdraw(enrolment, MONDAY + days(7))
    assert enrolment.status == Enrolment.Status.WITHDRAWN
    assert enrolment.withdrawn_on == MONDAY + days(7) and not enrolment.is_open
    assert EnrolmentPause.objects.get().end == MONDAY + days(7)
    assert plan_for(enrolment, MONDAY + days(7)).state == "finished"
    assert plan_for(enrolment, MONDAY + days(2)).state == "active"
    with pytest.raises(ValidationError, match="is withdrawn, so it cannot be completed"):
        enrolments.complete(enrolment, MONDAY + days(8))
    with pytest.raises(ValidationError, match="is withdrawn, so it cannot be paused"):
        enrolments.pause(enrolment, MONDAY + days(8))
    with pytest.raises(ValidationError, match="is withdrawn, so it cannot be resumed"):
        enrolments.resume(enrolment, MONDAY + days(8))


def test_a_completed_enrolment_cannot_be_withdrawn(enrolment) -> None:
    enrolments.complete(enrolment, MONDAY + days(21))
    assert enrolment.completed_on == MONDAY + days(21)
    with pytest.raises(ValidationError, match="is completed, so it cannot be withdrawn"):
        enrolments.withdraw(enrolment, MONDAY + days(22))
