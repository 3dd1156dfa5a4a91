"""Every view of the `clinicians` URL namespace goes through clinicians.access.

The table below declares each URL pattern's expectation. A pattern added without a row here
fails `test_every_pattern_is_declared`; for each one that takes a patient or cohort id, the
wrong people get a 404 (never a 403: ids leak nothing) and the right clinician gets the page,
with an audit row for reads of patient data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clinicians import invitations, joining, visits
from programs.models import Attendance, Occurrence
from recovery.models import AuditEvent
from tests.clinicians.test_access import World, frozen_clock  # noqa: F401  (fixture)
from tests.conftest import client_for
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


# name -> (method, who runs it: "responsible" / "facilitator" / "anyone", status for them,
#          the audit action their request writes or None)
EXPECT: dict[str, tuple[str, str, int, str | None]] = {
    "dashboard": ("GET", "anyone", 200, "view_caseload"),
    "patient_list": ("GET", "anyone", 302, None),  # the caseload (/clinic/) is the one list
    "patient_review": ("GET", "responsible", 200, "view_patient_review"),
    "visit_new": ("GET", "responsible", 200, "open_visit_form"),
    "visit_detail": ("GET", "responsible", 200, "view_visit"),
    "patient_journal": ("GET", "responsible", 200, "view_shared_journal"),
    "alert_acknowledge": ("POST", "responsible", 302, "acknowledge_alert"),
    "patient_report": ("GET", "responsible", 200, "view_report_form"),
    "patient_report_pdf": ("GET", "responsible", 200, "view_report"),
    "patient_report_prepare": ("POST", "responsible", 302, "prepare_report"),
    "cohort_list": ("GET", "anyone", 200, "view_cohort_list"),
    "cohort_new": ("GET", "anyone", 200, None),
    "cohort_detail": ("GET", "facilitator", 200, "view_cohort"),
    "cohort_attendance": ("POST", "facilitator", 302, "record_attendance"),
    "cohort_member_add": ("POST", "facilitator", 302, None),
    "cohort_screening": ("POST", "facilitator", 200, "view_cohort"),
    "cohort_occurrence_move": ("POST", "facilitator", 302, None),
    "cohort_occurrence_cancel": ("POST", "facilitator", 302, None),
    "outcomes": ("GET", "anyone", 200, "view_programme_outcomes"),
    "outcomes_csv": ("GET", "anyone", 200, "export_programme_outcomes"),
    "patient_fhir": ("GET", "responsible", 200, "export_fhir"),
    # bringing patients in (invitations: the inviting clinician; waiting list: any staff of
    # the clinic) and a patient's programme and care team (issue 9)
    "invitation_list": ("GET", "anyone", 200, "view_invitations"),
    "invitation_new": ("GET", "anyone", 200, None),
    "invitation_resend": ("POST", "responsible", 302, None),
    "invitation_revoke": ("POST", "responsible", 302, None),
    "join_accept": ("POST", "anyone", 302, None),
    "patient_programme": ("GET", "responsible", 200, "view_programme"),
    "enrolment_new": ("POST", "responsible", 302, "enrol_patient"),
    "enrolment_pause": ("POST", "responsible", 302, "pause_enrolment"),
    "enrolment_resume": ("POST", "responsible", 302, "resume_enrolment"),
    "enrolment_complete": ("POST", "responsible", 302, "complete_enrolment"),
    "enrolment_withdraw": ("POST", "responsible", 302, "withdraw_enrolment"),
    "care_team_add": ("POST", "responsible", 302, "change_care_team"),
    "care_team_primary": ("POST", "responsible", 302, "change_care_team"),
    "care_team_remove": ("POST", "responsible", 302, "change_care_team"),
}

# Ids that only some staff of the clinic may use: everyone else gets a 404. (A waiting
# person's join request is the whole clinic's to accept: only other clinics' staff are out.)
SCOPED_IDS = {"patient_id", "cohort_id", "invitation_id"}


def clinician_patterns() -> dict[str, list[str]]:
    """URL name -> the names of its arguments, for every pattern of the namespace."""
    _prefix, resolver = get_resolver().namespace_dict["clinicians"]
    found: dict[str, list[str]] = {}

    def walk(patterns, args: list[str]) -> None:
        for p in patterns:
            here = args + list(p.pattern.converters)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, here)
            elif isinstance(p, URLPattern) and p.name:
                found[p.name] = here

    walk(resolver.url_patterns, [])
    return found


def test_every_pattern_is_declared():
    assert set(clinician_patterns()) == set(EXPECT), (
        "A clinicians URL pattern without a row in EXPECT: declare how it is reached "
        "through clinicians.access, and who may use it."
    )


def _request(w: World, name: str, args: list[str]):
    if "visit_id" in args:
        w.visit, _ = visits.schedule(
            w.patient, w.responsible, dt.datetime(2026, 3, 20, 14, 0, tzinfo=dt.UTC)
        )
    values = {
        "patient_id": w.patient.pk,
        "cohort_id": w.cohort.pk,
        "occurrence_id": w.occurrences[0].pk,
        "visit_id": w.visit.pk if "visit_id" in args else 0,
        "enrolment_id": w.enrolment.pk,
        "clinician_id": w.facilitator.pk,
        "alert_id": _alert_for(w.patient).pk if "alert_id" in args else 0,
    }
    if "invitation_id" in args:
        invitation, _ = invitations.invite(w.responsible, "new@example.test", send=False)
        values["invitation_id"] = invitation.pk
    if "join_id" in args:
        values["join_id"] = joining.request_to_join(PatientFactory(email="alone@example.test")).pk
    url = reverse(f"clinicians:{name}", kwargs={a: values[a] for a in args})
    method = EXPECT[name][0]
    data = {
        "cohort_attendance": {
            "occurrence": w.occurrences[0].pk, "patient": w.patient.pk, "status": "present",
        },
        "cohort_occurrence_move": {"date": "2026-03-03", "time": "10:00", "location": "Hall"},
        "cohort_occurrence_cancel": {"action": "cancel"},
        "join_accept": {"primary": w.responsible.pk},
        "enrolment_new": {"program": w.version.program_id, "start_date": "2026-03-12"},
        "care_team_add": {"clinician": w.colleague.pk},
        "alert_acknowledge": {"note": "Called them; safe plan agreed."},
    }.get(name, {})
    return method, url, data


def _alert_for(patient):
    """An open safety alert of `patient` (a PHQ-9 whose item 9 is above 0)."""
    from outcomes.models import InstrumentVersion, QuestionnaireResponse, SafetyAlert

    version = InstrumentVersion.objects.filter(instrument__code="PHQ-9").first()
    if version is None:
        from django.core.management import call_command

        call_command("load_instruments", verbosity=0)
        version = InstrumentVersion.objects.get(instrument__code="PHQ-9")
    response = QuestionnaireResponse.objects.create(
        patient=patient, version=version, local_date=dt.date(2026, 3, 1),
        answers=[0] * 8 + [1], status="submitted", submitted_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        score=1, valid=True, safety=True,
    )
    return SafetyAlert.objects.create(patient=patient, response=response, reason="PHQ-9 item 9 answered 1")


def _send(user, method: str, url: str, data: dict):
    client = client_for(user)
    return client.get(url) if method == "GET" else client.post(url, data)


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_pattern_is_guarded_by_the_access_module(name):
    w = World()
    args = clinician_patterns()[name]
    method, url, data = _request(w, name, args)
    _method, who, status, action = EXPECT[name]
    before = Occurrence.objects.get(pk=w.occurrences[0].pk)

    # A patient never reaches a clinician page.
    for patient in (w.patient, w.other_patient):
        assert _send(patient, method, url, data).status_code == 404, patient.email
    if "join_id" in args:
        for outsider in (w.foreign_clinician, w.foreign_admin):
            assert _send(outsider, method, url, data).status_code == 404, outsider.email
    if SCOPED_IDS & set(args):
        # Same clinic but not on the care team / not running the cohort; another clinic's
        # staff: a 404, nothing changed, no patient data read.
        for outsider in (w.colleague, w.foreign_clinician, w.foreign_admin):
            assert _send(outsider, method, url, data).status_code == 404, outsider.email
        assert not AuditEvent.objects.exclude(patient=None).exists()
        assert not Attendance.objects.exists()
        after = Occurrence.objects.get(pk=w.occurrences[0].pk)
        assert (after.starts_at, after.cancelled) == (before.starts_at, before.cancelled)

    right = {"responsible": w.responsible, "facilitator": w.facilitator}.get(who, w.responsible)
    for allowed in (right, w.admin):  # the clinic's admin reaches everything of their clinic
        response = _send(allowed, method, url, data)
        assert response.status_code == status, response.content.decode()[:500]
        if action:
            assert AuditEvent.objects.filter(actor=allowed, action=action).exists()


def test_posts_to_the_visit_pages_are_guarded_too():
    """Scheduling and recording change data: outsiders get a 404 and change nothing."""
    from clinicians.models_visits import FollowUpVisit

    w = World()
    visit, _ = visits.schedule(
        w.patient, w.responsible, dt.datetime(2026, 3, 20, 14, 0, tzinfo=dt.UTC)
    )
    new = reverse("clinicians:visit_new", args=[w.patient.pk])
    detail = reverse("clinicians:visit_detail", args=[w.patient.pk, visit.pk])
    schedule = {"date": "2026-03-27", "time": "10:00", "mode": "phone"}
    notes = {"status": "cancelled", "summary": "x", "discussed": "", "plan": ""}
    for outsider in (w.colleague, w.foreign_clinician, w.foreign_admin, w.patient, w.other_patient):
        assert _send(outsider, "POST", new, schedule).status_code == 404
        assert _send(outsider, "POST", detail, notes).status_code == 404
    assert FollowUpVisit.objects.get() == visit
    visit.refresh_from_db()
    assert visit.status == "scheduled" and visit.summary == ""
    # Another patient's visit id under this patient's address: 404.
    other, _ = visits.schedule(
        w.other_patient, w.colleague, dt.datetime(2026, 3, 20, 14, 0, tzinfo=dt.UTC)
    )
    wrong = reverse("clinicians:visit_detail", args=[w.patient.pk, other.pk])
    assert _send(w.responsible, "GET", wrong, {}).status_code == 404
    assert _send(w.responsible, "POST", new, schedule).status_code == 302
    assert _send(w.responsible, "POST", detail, notes).status_code == 302
    assert AuditEvent.objects.filter(actor=w.responsible, action="schedule_visit").exists()
    assert AuditEvent.objects.filter(actor=w.responsible, action="record_visit").exists()
