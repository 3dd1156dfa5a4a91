"""The kinds the feature apps register: group sessions, the gentle nudge, the digest."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from journaling.models import CheckIn
from programs.models import Cohort, CohortMembership, Occurrence, Program, ProgramVersion, Session
from recovery.models import Clinic, NotificationPreference, ReminderLedger
from recovery.notifications import registry

from .conftest import ledger, utc

pytestmark = pytest.mark.django_db
Status = ReminderLedger.Status


def test_each_feature_app_registered_its_kinds():
    names = {k.name for k in registry.kinds()}
    assert {"daily_practice", "inactivity_nudge", "group_session", "caseload_digest"} <= names
    assert {k.name for k in registry.kinds("clinician")} == {
        "caseload_digest", "visit_clinician", "safety_alert", "export_ready_staff"
    }
    assert {"visit_patient", "questionnaire_due"} <= {k.name for k in registry.kinds("patient")}


@pytest.fixture
def occurrence(version, doc):
    draft = ProgramVersion.objects.create(
        program=Program.objects.create(slug="g", title="Group"), number=1)
    session = Session.objects.create(version=draft, slug="s1", kind="group", title="Session 1",
                                     week=1, day=1, duration_minutes=120)
    cohort = Cohort.objects.create(clinic=Clinic.default(), version=version, name="Tuesday group",
                                   start_date=dt.date(2025, 6, 1))
    return Occurrence.objects.create(cohort=cohort, session=session,
                                     starts_at=utc(2025, 6, 10, 17, 0), duration_minutes=120)


def test_a_group_session_is_announced_a_day_and_an_hour_before(
    make_patient, occurrence, run_dispatcher
):
    member = make_patient("America/New_York", None)
    CohortMembership.objects.create(cohort=occurrence.cohort, enrolment=member.enrolments.get())
    outsider = make_patient("America/New_York", None, email="outsider@example.test")
    for at in (utc(2025, 6, 9, 17, 0, 5), utc(2025, 6, 9, 17, 1), utc(2025, 6, 10, 16, 0, 5)):
        with time_machine.travel(at, tick=False):
            run_dispatcher()
    rows = ledger(kind="group_session")
    assert [(r.recipient_id, r.slot, r.status) for r in rows] == [
        (member.pk, f"occurrence-{occurrence.pk}-24h", Status.SENT),
        (member.pk, f"occurrence-{occurrence.pk}-1h", Status.SENT),
    ]
    assert not ledger(kind="group_session", recipient=outsider)
    bodies = [m.body for m in mail.outbox if m.subject == "Your group session is coming up"]
    assert "tomorrow, at 13:00 (America/New York)" in bodies[0]
    assert "in about an hour, at 13:00" in bodies[1]


def test_a_cancelled_session_is_not_announced(make_patient, occurrence, run_dispatcher):
    member = make_patient("UTC", None)
    CohortMembership.objects.create(cohort=occurrence.cohort, enrolment=member.enrolments.get())
    occurrence.cancelled = True
    occurrence.save()
    with time_machine.travel(utc(2025, 6, 9, 17, 0, 5), tick=False):
        run_dispatcher()
    assert not ledger(kind="group_session")


def test_the_gentle_nudge_after_three_quiet_days_at_most_once_a_week(
    make_patient, run_dispatcher, settings
):
    settings.REMINDER_INACTIVITY_DAYS = 3
    settings.REMINDER_NUDGE_HOUR = 10
    patient = make_patient("UTC", None, start=dt.date(2025, 6, 1))
    CheckIn.objects.create(patient=patient, local_date=dt.date(2025, 6, 2), pain=5, stress=5,
                           mood=5)
    for day in range(3, 20):  # every day at 10:00, for two and a half weeks
        with time_machine.travel(utc(2025, 6, day, 10, 0, 5), tick=False):
            run_dispatcher()
    rows = ledger(kind="inactivity_nudge", recipient=patient)
    # Quiet since 2 June: the 5th (three days on), then a week later, and a week after that.
    assert [r.due_at.date() for r in rows] == [
        dt.date(2025, 6, 5), dt.date(2025, 6, 12), dt.date(2025, 6, 19)]
    nudge = [m for m in mail.outbox if m.subject == "Whenever you're ready"][0]
    assert "that's alright" in nudge.body


def test_no_nudge_for_someone_active(make_patient, run_dispatcher):
    patient = make_patient("UTC", None, start=dt.date(2025, 6, 1))
    CheckIn.objects.create(patient=patient, local_date=dt.date(2025, 6, 9), pain=5, stress=5,
                           mood=5)
    with time_machine.travel(utc(2025, 6, 10, 10, 0, 5), tick=False):
        run_dispatcher()
    assert not ledger(kind="inactivity_nudge")


def test_the_caseload_digest_on_the_clinicians_chosen_day(
    make_patient, doc, run_dispatcher, settings
):
    settings.REMINDER_DIGEST_HOUR = 8
    make_patient("UTC", None)
    NotificationPreference.objects.create(user=doc, digest_weekday=3)  # Thursday
    clinic_zone = doc.clinic.time_zone
    assert clinic_zone == "UTC"
    for day in range(2, 9):  # a week of 08:00s, 2 (Monday) to 8 June (Sunday)
        with time_machine.travel(utc(2025, 6, day, 8, 0, 5), tick=False):
            run_dispatcher()
    [row] = ledger(kind="caseload_digest")
    assert (row.recipient_id, row.slot, row.status) == (doc.pk, "2025-06-05", Status.SENT)
    assert row.context == {"patients": 1, "quiet": 1}
    [digest] = [m for m in mail.outbox if doc.email in m.to]
    assert "1 patient in your care" in digest.body and "/clinic/" in digest.body


def test_a_follow_up_visit_is_announced_the_day_before_to_patient_and_clinician(
    make_patient, doc, run_dispatcher
):
    from clinicians.models import FollowUpVisit

    patient = make_patient("Europe/London", None)
    visit = FollowUpVisit.objects.create(
        patient=patient, clinician=doc, scheduled_for=utc(2025, 6, 10, 9, 0)
    )
    cancelled = FollowUpVisit.objects.create(
        patient=patient, clinician=doc, scheduled_for=utc(2025, 6, 10, 11, 0),
        status=FollowUpVisit.Status.CANCELLED,
    )
    for at in (utc(2025, 6, 9, 8, 59), utc(2025, 6, 9, 9, 0, 5), utc(2025, 6, 9, 9, 1),
               utc(2025, 6, 9, 11, 0, 5)):
        with time_machine.travel(at, tick=False):
            run_dispatcher()
    mine = ledger(kind="visit_patient")
    theirs = ledger(kind="visit_clinician")
    assert [(r.recipient_id, r.slot, r.status) for r in mine] == [
        (patient.pk, f"visit-{visit.pk}", Status.SENT)
    ]
    assert [(r.recipient_id, r.slot, r.status) for r in theirs] == [
        (doc.pk, f"visit-{visit.pk}", Status.SENT)
    ]
    assert not ReminderLedger.objects.filter(slot=f"visit-{cancelled.pk}").exists()
    [to_patient] = [m for m in mail.outbox if m.subject == "Your follow-up visit is tomorrow"]
    # 09:00 UTC is 10:00 in London in June; no clinical detail in the body.
    assert "tomorrow, Tuesday 10 June at 10:00 (Europe/London)" in to_patient.body
    assert "score" not in to_patient.body.lower() and "pain" not in to_patient.body.lower()


def test_a_safety_alert_reaches_the_care_team_even_late_and_even_when_muted(
    make_patient, doc, run_dispatcher
):
    """The request writes the ledger rows; if the broker lost the hand-over, the dispatcher's
    sweep sends them later: an essential kind is never dropped as too late, nor muted."""
    from clinicians.care_teams import ensure_member
    from outcomes import reminders
    from outcomes.models import InstrumentVersion, QuestionnaireResponse, SafetyAlert

    patient = make_patient("UTC", None)
    ensure_member(patient, doc)
    NotificationPreference.objects.create(user=doc, muted_kinds=["safety_alert"], paused=True)
    from django.core.management import call_command

    call_command("load_instruments", verbosity=0)
    version = InstrumentVersion.objects.get(instrument__code="PHQ-9")
    with time_machine.travel(utc(2025, 6, 10, 9, 0), tick=False):
        response = QuestionnaireResponse.objects.create(
            patient=patient, version=version, local_date=dt.date(2025, 6, 10),
            answers=[0] * 8 + [2], status="submitted", submitted_at=utc(2025, 6, 10, 9, 0),
            score=2, valid=True, safety=True,
        )
        alert = SafetyAlert.objects.create(patient=patient, response=response, reason="item 9")
        assert reminders.notify(alert) == 1  # its on-commit hand-over is lost (not run here)
    [row] = ReminderLedger.objects.filter(kind="safety_alert")
    assert row.status == Status.QUEUED
    with time_machine.travel(utc(2025, 6, 10, 10, 0), tick=False):  # an hour later
        run_dispatcher()
    row.refresh_from_db()
    assert row.status == Status.SENT and row.recipient_id == doc.pk
    assert ReminderLedger.objects.filter(kind="safety_alert").count() == 1  # no second row
