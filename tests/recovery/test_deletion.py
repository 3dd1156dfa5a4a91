"""Deleting an account: the core's lifecycle (grace period, purge, audit) and each app's
receiver of `purge_patient_data`, which answers for that app's own data."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.test import RequestFactory

from journaling import deletion as journaling_deletion
from journaling.models import CheckIn, ExerciseCompletion, JournalEntry, StressorItem
from programs import deletion as programs_deletion
from programs import enrolments as services
from programs.models import Enrolment, EnrolmentPause, Screening
from recovery import deletion
from recovery.context_processors import account_deletion
from recovery.models import AuditEvent, User
from recovery.signals import purge_patient_data
from recovery.tasks import purge_deleted_accounts
from tests.factories import PASSWORD, PatientFactory
from tests.journaling.test_history import NOV_15, enrol, fill_days, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(patient, clinician):
    """Two weeks of the patient's writing and logging, a stressor, a screening and attendance."""
    version = make_version(group_session=True)
    enrolment = enrol(patient, clinician, version, dt.date(2026, 11, 2))
    fill_days(patient, enrolment, dt.date(2026, 11, 2), 14)
    StressorItem.objects.create(
        patient=patient, category="childhood", text="Moving school often",
        local_date=dt.date(2026, 11, 3),
    )
    Screening.objects.create(
        patient=patient, program=version.program, decided_by=clinician,
        decided_on=dt.date(2026, 11, 1), outcome="cleared", reason="No red flags.",
    )
    return enrolment


@pytest.fixture
def stranger(other_clinician):
    other = PatientFactory(email="stranger@example.test")
    enrol(other, other_clinician, make_version(slug="other"), dt.date(2026, 11, 2))
    CheckIn.objects.create(patient=other, local_date=dt.date(2026, 11, 5), pain=9, stress=9, mood=1)
    JournalEntry.objects.create(patient=other, local_date=dt.date(2026, 11, 5), body="X", status="saved")
    return other


# --- The lifecycle ---------------------------------------------------------------------


def test_purge_waits_for_the_grace_period(patient, history):
    deletion.request_deletion(patient, NOV_15)
    assert deletion.purge_due_accounts(NOV_15 + dt.timedelta(days=13, hours=23)) == 0
    assert CheckIn.objects.filter(patient=patient).count() == 14
    patient.refresh_from_db()
    assert patient.is_active and patient.email == "pat@example.test"


def test_purge_after_14_days_deletes_the_data_and_is_idempotent(patient, history, stranger):
    deletion.request_deletion(patient, NOV_15)
    again = deletion.request_deletion(patient, NOV_15 + dt.timedelta(days=3))
    assert again == NOV_15 + dt.timedelta(days=14)
    with time_machine.travel(NOV_15 + dt.timedelta(days=14, minutes=1), tick=False):
        assert purge_deleted_accounts() == 1
        assert purge_deleted_accounts() == 0
    for model in (CheckIn, ExerciseCompletion, JournalEntry, StressorItem):
        assert not model.objects.filter(patient=patient).exists()
    patient.refresh_from_db()
    assert not patient.is_active and not patient.has_usable_password()
    assert patient.email.endswith("@deleted.invalid")
    assert patient.patient_profile.display_name == ""
    assert not EmailAddress.objects.filter(user=patient).exists()
    # What the clinic keeps.
    enrolment = Enrolment.objects.get(patient=patient)
    assert enrolment.status == "withdrawn" and enrolment.withdrawn_on == dt.date(2026, 11, 29)
    assert Screening.objects.filter(patient=patient).exists()
    [event] = AuditEvent.objects.filter(patient=patient, action="patient_data_deleted")
    # Each app's receiver reported its counts to the audit trail.
    assert event.detail == {
        "journal_entries": 14, "check_ins": 14, "exercise_completions": 14, "stressor_items": 1,
        "enrolments_withdrawn": 1,
    }
    # Nobody else is touched.
    assert CheckIn.objects.filter(patient=stranger).count() == 1
    assert User.objects.get(pk=stranger.pk).is_active
    assert Enrolment.objects.get(patient=stranger).status == "active"


def test_a_purged_account_cannot_sign_in(patient, client):
    deletion.request_deletion(patient, NOV_15)
    deletion.purge_due_accounts(NOV_15 + dt.timedelta(days=15))
    assert not client.login(email="pat@example.test", password=PASSWORD)
    assert deletion.cancel_deletion(User.objects.get(pk=patient.pk)) is False


# --- Each app answers for its own data -------------------------------------------------


def test_each_feature_app_connects_its_own_receiver():
    sync_receivers, _ = purge_patient_data._live_receivers(User)
    receivers = set(sync_receivers)
    assert journaling_deletion.purge_patient_data in receivers
    assert programs_deletion.purge_patient_data in receivers


def test_journalings_receiver_deletes_only_that_patients_writing(patient, history, stranger):
    counts = journaling_deletion.purge_patient_data(sender=User, patient=patient, now=NOV_15)
    assert counts == {
        "journal_entries": 14, "check_ins": 14, "exercise_completions": 14, "stressor_items": 1,
    }
    assert not JournalEntry.objects.filter(patient=patient).exists()
    assert JournalEntry.objects.filter(patient=stranger).count() == 1
    # Journaling does not touch what other apps hold.
    assert Enrolment.objects.get(patient=patient).status == "active"


def test_programs_receiver_withdraws_through_the_engine_and_closes_the_pause(
    patient, clinician
):
    """A paused enrolment was once withdrawn by a queryset update that left its pause open."""
    enrolment = enrol(patient, clinician, make_version(), dt.date(2026, 11, 2))
    services.pause(enrolment, dt.date(2026, 11, 10), reason="Surgery")
    deletion.request_deletion(patient, NOV_15)
    deletion.purge_due_accounts(NOV_15 + dt.timedelta(days=14, minutes=1))
    enrolment.refresh_from_db()
    assert enrolment.status == "withdrawn"
    assert enrolment.withdrawn_on == enrolment.status_changed_on == dt.date(2026, 11, 29)
    [pause] = EnrolmentPause.objects.filter(enrolment=enrolment)
    assert pause.end == dt.date(2026, 11, 29)


def test_programs_receiver_leaves_finished_enrolments_alone(patient, clinician):
    enrolment = enrol(patient, clinician, make_version(), dt.date(2026, 11, 2))
    services.complete(enrolment, dt.date(2026, 11, 12))
    counts = programs_deletion.purge_patient_data(sender=User, patient=patient, now=NOV_15)
    assert counts == {"enrolments_withdrawn": 0}
    enrolment.refresh_from_db()
    assert enrolment.status == "completed"


def test_a_failing_receiver_rolls_the_whole_purge_back(patient, history):
    def broken(sender, patient, now, **kwargs):
        raise RuntimeError("disk on fire")

    purge_patient_data.connect(broken, dispatch_uid="test.broken")
    try:
        deletion.request_deletion(patient, NOV_15)
        with pytest.raises(RuntimeError, match="disk on fire"):
            deletion.purge_due_accounts(NOV_15 + dt.timedelta(days=15))
    finally:
        purge_patient_data.disconnect(dispatch_uid="test.broken")
    patient.refresh_from_db()
    assert patient.is_active and patient.email == "pat@example.test"
    assert CheckIn.objects.filter(patient=patient).count() == 14
    assert Enrolment.objects.get(patient=patient).status == "active"
    assert not AuditEvent.objects.filter(action="patient_data_deleted").exists()


def test_a_receiver_must_answer_with_counts(patient):
    purge_patient_data.connect(lambda **kwargs: None, dispatch_uid="test.silent", weak=False)
    try:
        with pytest.raises(TypeError, match="dict of counts"):
            deletion.purge_account(patient, NOV_15)
    finally:
        purge_patient_data.disconnect(dispatch_uid="test.silent")
    patient.refresh_from_db()
    assert patient.is_active


# --- The banner (a core context processor) ---------------------------------------------


def test_banner_context_only_for_a_patient_with_a_pending_deletion(patient, clinician):
    request = RequestFactory().get("/")
    request.user = patient
    assert account_deletion(request) == {"account_deletion_due": None}
    deletion.request_deletion(patient, NOV_15)
    assert account_deletion(request) == {"account_deletion_due": dt.date(2026, 11, 29)}
    request.user = clinician
    assert account_deletion(request) == {"account_deletion_due": None}


def test_banner_shows_on_every_patient_page_with_one_cancel_button(patient, patient_client):
    deletion.request_deletion(patient, NOV_15)
    with time_machine.travel(NOV_15 + dt.timedelta(days=1), tick=False):
        for url in ("/today/", "/history/", "/my-data/"):
            page = patient_client.get(url).content.decode()
            assert "Your account will be deleted on Sunday 29 November 2026." in page, url
            assert page.count(">Cancel deletion</button>") == 1, url
