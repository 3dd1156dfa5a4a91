"""Cohort rules: occurrences in the clinic's time zone, joining (capacity, screening gate),
attendance (one row per meeting and patient). Who may act is clinicians.access' (tested in
tests/clinicians/test_access.py)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

import programs.admin_cohorts  # noqa: F401  (registers the cohort admin until programs.admin does)
from programs import cohorts
from programs.models import (
    Attendance,
    Cohort,
    CohortMembership,
    Enrolment,
    Occurrence,
    Program,
    ProgramVersion,
    Screening,
    Session,
)
from recovery.models import Clinic
from tests.factories import AdminFactory, ClinicFactory, PatientFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def make_version(
    slug: str = "group-prog",
    *,
    requires_screening: bool = False,
    weeks: int = 3,
    retreat_week: int | None = None,
) -> ProgramVersion:
    """A published version with one weekly 2-hour group session (day 1), an individual
    follow-up that must not become an occurrence, and optionally a retreat day."""
    program, _ = Program.objects.get_or_create(
        slug=slug,
        defaults={
            "title": f"{slug} programme",
            "is_group": True,
            "requires_screening": requires_screening,
        },
    )
    number = program.versions.count() + 1
    version = ProgramVersion.objects.create(program=program, number=number)
    for week in range(1, weeks + 1):
        Session.objects.create(
            version=version, slug=f"group-{week}", kind=Session.Kind.GROUP,
            title=f"Group session {week}", week=week, day=1, duration_minutes=120,
        )
    if retreat_week:
        Session.objects.create(
            version=version, slug="retreat", kind=Session.Kind.RETREAT, title="Retreat day",
            week=retreat_week, day=6, duration_minutes=360,
        )
    Session.objects.create(
        version=version, slug="follow-up", kind=Session.Kind.FOLLOW_UP, title="Follow-up",
        week=weeks, day=5, duration_minutes=45,
    )
    version.status = ProgramVersion.Status.PUBLISHED
    version.save()
    return version


def ny_clinic() -> Clinic:
    clinic = Clinic.default()
    clinic.time_zone = "America/New_York"
    clinic.save()
    return clinic


def make_cohort(version, facilitator, *, start=dt.date(2026, 3, 2), capacity=10, **kw) -> Cohort:
    cohort = Cohort.objects.create(
        clinic_id=facilitator.clinic_id, version=version, name=kw.pop("name", "Tuesday group"),
        start_date=start, meeting_time=kw.pop("meeting_time", dt.time(18, 0)),
        capacity=capacity, location=kw.pop("location", "Room 2"), **kw,
    )
    cohort.facilitators.add(facilitator)
    return cohort


def enrol(patient, clinician, version, start=dt.date(2026, 3, 2), **kw) -> Enrolment:
    return Enrolment.objects.create(
        patient=patient, clinician=clinician, version=version, start_date=start, **kw
    )


# --- occurrences ---------------------------------------------------------------------------


def test_one_occurrence_per_group_or_retreat_session(clinician):
    ny_clinic()
    version = make_version(weeks=4, retreat_week=2)
    cohort = make_cohort(version, clinician)
    occurrences = cohorts.generate_occurrences(cohort)
    assert [o.session.slug for o in occurrences] == [
        "group-1", "group-2", "retreat", "group-3", "group-4"
    ]
    assert occurrences[2].duration_minutes == 360
    assert all(o.location == "Room 2" for o in occurrences)


def test_occurrence_times_follow_the_clinic_clock_across_dst(clinician):
    """US clocks spring forward on Sunday 8 March 2026 and fall back on 1 November 2026:
    18:00 in New York is 23:00 UTC before, 22:00 UTC after, and 23:00 UTC again."""
    ny_clinic()
    version = make_version(weeks=3)
    spring = cohorts.generate_occurrences(make_cohort(version, clinician))
    assert [o.starts_at for o in spring] == [
        dt.datetime(2026, 3, 2, 23, 0, tzinfo=UTC),
        dt.datetime(2026, 3, 9, 22, 0, tzinfo=UTC),
        dt.datetime(2026, 3, 16, 22, 0, tzinfo=UTC),
    ]
    autumn = cohorts.generate_occurrences(
        make_cohort(version, clinician, start=dt.date(2026, 10, 26), name="Autumn")
    )
    assert [o.starts_at.hour for o in autumn] == [22, 23, 23]
    local = [cohorts.local_start(o) for o in spring + autumn]
    assert {t.time() for t in local} == {dt.time(18, 0)}


def test_days_are_counted_from_the_start_date(clinician):
    ny_clinic()
    version = make_version(weeks=1, retreat_week=1)  # retreat on week 1 day 6
    cohort = make_cohort(version, clinician, start=dt.date(2026, 6, 4))  # a Thursday
    by_slug = {o.session.slug: cohorts.local_start(o) for o in cohorts.generate_occurrences(cohort)}
    assert by_slug["group-1"].date() == dt.date(2026, 6, 4)
    assert by_slug["retreat"].date() == dt.date(2026, 6, 9)


def test_generation_is_idempotent_and_keeps_moved_and_cancelled_meetings(clinician):
    ny_clinic()
    cohort = make_cohort(make_version(weeks=3), clinician)
    first, second, third = cohorts.generate_occurrences(cohort)
    cohorts.move_occurrence(second, dt.datetime(2026, 3, 10, 17, 30), location="Hall")
    cohorts.cancel_occurrence(third)

    again = cohorts.generate_occurrences(cohort)
    assert Occurrence.objects.filter(cohort=cohort).count() == 3
    moved = next(o for o in again if o.pk == second.pk)
    assert moved.starts_at == dt.datetime(2026, 3, 10, 21, 30, tzinfo=UTC)  # 17:30 EDT
    assert moved.location == "Hall"
    assert Occurrence.objects.get(pk=third.pk).cancelled is True
    assert again[0].pk == first.pk


def test_move_accepts_an_aware_datetime_and_keeps_the_place_when_not_given(clinician):
    ny_clinic()
    cohort = make_cohort(make_version(weeks=1), clinician)
    (occ,) = cohorts.generate_occurrences(cohort)
    when = dt.datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    cohorts.move_occurrence(occ, when)
    occ.refresh_from_db()
    assert occ.starts_at == when and occ.location == "Room 2"


def test_cancel_can_be_undone(clinician):
    ny_clinic()
    (occ,) = cohorts.generate_occurrences(make_cohort(make_version(weeks=1), clinician))
    cohorts.cancel_occurrence(occ)
    cohorts.cancel_occurrence(occ, cancelled=False)
    occ.refresh_from_db()
    assert occ.cancelled is False


# --- screening and joining --------------------------------------------------------------------


def test_screening_needs_a_reason_and_a_real_date(clinician, patient):
    program = make_version(requires_screening=True).program
    with pytest.raises(ValidationError) as exc:
        cohorts.record_screening(patient, program, clinician, dt.date(2026, 1, 5), "cleared", "  ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        cohorts.record_screening(
            patient, program, clinician, clinician.local_today() + dt.timedelta(days=2),
            "cleared", "ok",
        )
    assert "decided_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        cohorts.record_screening(patient, program, clinician, dt.date(2026, 1, 5), "maybe", "ok")
    assert not Screening.objects.exists()


def test_screening_of_another_clinics_patient_is_refused(clinician):
    program = make_version().program
    stranger = PatientFactory(clinic=ClinicFactory())
    with pytest.raises(ValidationError):
        cohorts.record_screening(stranger, program, clinician, dt.date(2026, 1, 5), "cleared", "ok")


def test_screening_gate(clinician, patient):
    version = make_version(requires_screening=True)
    cohort = make_cohort(version, clinician)
    enrolment = enrol(patient, clinician, version)

    with pytest.raises(ValidationError, match="has not been screened"):
        cohorts.join_cohort(cohort, enrolment, clinician)

    cohorts.record_screening(
        patient, version.program, clinician, dt.date(2026, 2, 20),
        Screening.Outcome.INDIVIDUAL_FIRST, "Severe depression (PHQ-9 22); individual work first.",
    )
    with pytest.raises(ValidationError, match="individual care first"):
        cohorts.join_cohort(cohort, enrolment, clinician)

    cohorts.record_screening(
        patient, version.program, clinician, dt.date(2026, 2, 27),
        Screening.Outcome.CLEARED, "Mood improved after four individual sessions.",
    )
    membership = cohorts.join_cohort(cohort, enrolment, clinician)
    assert membership.cohort == cohort


def test_the_latest_screening_decides(clinician, patient):
    version = make_version(requires_screening=True)
    program = version.program
    cohorts.record_screening(patient, program, clinician, dt.date(2026, 2, 1), "cleared", "ok")
    cohorts.record_screening(
        patient, program, clinician, dt.date(2026, 2, 10), "individual_first", "suicidal thoughts"
    )
    cohort = make_cohort(version, clinician)
    with pytest.raises(ValidationError, match="individual care first"):
        cohorts.join_cohort(cohort, enrol(patient, clinician, version), clinician)


def test_no_screening_needed_when_the_programme_does_not_ask(clinician, patient):
    version = make_version()
    cohort = make_cohort(version, clinician)
    cohorts.join_cohort(cohort, enrol(patient, clinician, version), clinician)
    assert cohorts.is_member(cohort, patient)


def test_join_is_idempotent(clinician, patient):
    version = make_version()
    cohort = make_cohort(version, clinician)
    enrolment = enrol(patient, clinician, version)
    a = cohorts.join_cohort(cohort, enrolment, clinician)
    b = cohorts.join_cohort(cohort, enrolment, clinician)
    assert a.pk == b.pk and CohortMembership.objects.count() == 1


def test_a_full_cohort_refuses(clinician):
    version = make_version()
    cohort = make_cohort(version, clinician, capacity=2)
    patients = [PatientFactory() for _ in range(3)]
    for p in patients[:2]:
        cohorts.join_cohort(cohort, enrol(p, clinician, version), clinician)
    with pytest.raises(ValidationError, match=r"full \(2 of 2 places taken\)"):
        cohorts.join_cohort(cohort, enrol(patients[2], clinician, version), clinician)
    assert cohort.memberships.count() == 2


def test_other_programme_clinic_or_closed_enrolment_refuses(clinician, patient):
    version = make_version()
    cohort = make_cohort(version, clinician)
    other_version = make_version("home-programme")
    with pytest.raises(ValidationError, match="but this cohort runs"):
        cohorts.join_cohort(cohort, enrol(patient, clinician, other_version), clinician)

    paused = enrol(PatientFactory(), clinician, version, status=Enrolment.Status.PAUSED)
    with pytest.raises(ValidationError, match="enrolment is paused"):
        cohorts.join_cohort(cohort, paused, clinician)

    elsewhere = PatientFactory(clinic=ClinicFactory())
    with pytest.raises(ValidationError, match="another clinic"):
        cohorts.join_cohort(cohort, enrol(elsewhere, clinician, version), clinician)
    assert not CohortMembership.objects.exists()


def test_joining_needs_the_cohorts_version_and_day_1(clinician, patient):
    version = make_version()
    cohort = make_cohort(version, clinician)  # day 1: 2 March 2026
    newer = make_version()  # version 2 of the same programme
    with pytest.raises(ValidationError, match="follows version 2"):
        cohorts.join_cohort(cohort, enrol(patient, clinician, newer), clinician)
    late = enrol(PatientFactory(), clinician, version, start=dt.date(2026, 3, 12))
    with (
        time_machine.travel(dt.datetime(2026, 3, 12, 15, 0, tzinfo=UTC), tick=False),
        pytest.raises(ValidationError, match="out of step"),
    ):
        cohorts.join_cohort(cohort, late, clinician)
    assert not CohortMembership.objects.exists()


def test_a_future_cohort_takes_patients_whose_day_1_is_its_own(clinician):
    version = make_version()
    cohort = make_cohort(version, clinician, start=dt.date(2026, 4, 6))
    with time_machine.travel(dt.datetime(2026, 3, 12, 15, 0, tzinfo=UTC), tick=False):
        assert cohorts.step_problem(cohort, enrol(PatientFactory(), clinician, version,
                                                  start=dt.date(2026, 4, 6))) is None
        assert cohorts.step_problem(cohort, enrol(PatientFactory(), clinician, version,
                                                  start=dt.date(2026, 4, 7)))


def test_the_window_of_dates_and_places():
    today = dt.date(2026, 3, 12)
    assert cohorts.cohort_problems(dt.date(2026, 4, 6), 8, today) == {}
    problems = cohorts.cohort_problems(dt.date(9999, 12, 1), 100_000, today)
    assert "9999" in problems["start_date"] and "100000" in problems["capacity"]
    assert set(cohorts.cohort_problems(dt.date(1900, 1, 1), 0, today)) == {"start_date", "capacity"}


def test_a_meeting_cannot_move_outside_the_window(clinician):
    ny_clinic()
    (occ,) = cohorts.generate_occurrences(make_cohort(make_version(weeks=1), clinician))
    with pytest.raises(ValidationError, match="9999"):
        cohorts.move_occurrence(occ, dt.datetime(9999, 12, 31, 23, 30))
    occ.refresh_from_db()
    assert occ.starts_at.year == 2026


# --- attendance --------------------------------------------------------------------------------


@pytest.fixture
def running(clinician, patient):
    """A New York cohort whose first meeting was on 2 March 2026; 'now' is 12 March."""
    ny_clinic()
    version = make_version(weeks=3)
    cohort = make_cohort(version, clinician)
    cohorts.join_cohort(cohort, enrol(patient, clinician, version), clinician)
    occurrences = cohorts.generate_occurrences(cohort)
    with time_machine.travel(dt.datetime(2026, 3, 12, 15, 0, tzinfo=UTC), tick=False):
        yield cohort, occurrences


def test_attendance_is_an_upsert(running, clinician, patient):
    cohort, (first, *_rest) = running
    cohorts.record_attendance(first, patient, "absent", clinician)
    cohorts.record_attendance(first, patient, "absent", clinician)
    cohorts.record_attendance(first, patient, "present", clinician)
    assert Attendance.objects.count() == 1
    assert Attendance.objects.get().status == "present"


def test_only_members_and_real_meetings(running, clinician):
    cohort, (first, second, third) = running
    outsider = PatientFactory()
    with pytest.raises(ValidationError, match="not a member"):
        cohorts.record_attendance(first, outsider, "present", clinician)
    member = cohort.memberships.get().enrolment.patient
    with pytest.raises(ValidationError):
        cohorts.record_attendance(first, member, "late", clinician)
    cohorts.cancel_occurrence(second)
    with pytest.raises(ValidationError, match="cancelled"):
        cohorts.record_attendance(second, member, "present", clinician)
    # The third meeting (16 March) has not happened on 12 March: only "excused" ahead of time.
    with pytest.raises(ValidationError, match="not happened yet"):
        cohorts.record_attendance(third, member, "present", clinician)
    assert cohorts.record_attendance(third, member, "excused", clinician).status == "excused"


def test_attendance_summary(running, clinician, patient):
    cohort, (first, second, third) = running
    quiet = PatientFactory()
    cohorts.join_cohort(cohort, enrol(quiet, clinician, cohort.version), clinician)
    cohorts.record_attendance(first, patient, "present", clinician)
    cohorts.record_attendance(second, patient, "absent", clinician)
    cohorts.record_attendance(third, patient, "excused", clinician)
    cohorts.record_attendance(first, quiet, "present", clinician)
    rows = {row.patient.pk: row for row in cohorts.attendance_summary(cohort)}
    assert (rows[patient.pk].present, rows[patient.pk].absent, rows[patient.pk].excused) == (1, 1, 1)
    assert rows[quiet.pk].present == 1 and rows[quiet.pk].recorded == 1


# --- the demo ------------------------------------------------------------------------------


def _demo_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Program, ProgramVersion, Enrolment, Cohort, CohortMembership, Occurrence,
                      Attendance, Screening)
    }


# Mid-morning in New York (the demo's zone): session 2 (day 10, 18:00) is later today. Unfrozen,
# the test failed every evening after 18:00 there, when session 2 had ended and was marked.
@time_machine.travel(dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC), tick=False)
def test_demo_puts_the_patient_in_a_cohort_and_is_idempotent():
    from programs import demo
    from recovery.demo import seed_people

    people = seed_people()
    demo.seed(people)
    first = _demo_counts()
    demo.seed(people)
    assert _demo_counts() == first

    enrolment = Enrolment.objects.get(patient=people.patient, program__slug="mbm-workshop")
    assert enrolment.start_date == people.patient.local_today() - dt.timedelta(days=9)
    assert enrolment.clinician == people.clinician
    cohort = Cohort.objects.get(name="MBM workshop — demo cohort")
    assert list(cohort.facilitators.all()) == [people.clinician]
    assert cohort.start_date == enrolment.start_date
    assert cohorts.is_member(cohort, people.patient)
    occurrences = cohorts.generate_occurrences(cohort)
    assert len(occurrences) == 3  # three weekly workshop sessions (seed 001)
    # Session 1 (day 3) was a week ago; session 2 (day 10) is this evening, not yet held.
    marks = Attendance.objects.filter(occurrence__cohort=cohort)
    assert [(a.occurrence.session.slug, a.status) for a in marks] == [
        ("workshop-session-1", "present")
    ]


def test_demo_without_curricula_does_nothing(monkeypatch):
    from programs import demo
    from recovery.demo import seed_people

    def missing(*args, **kwargs):
        raise demo.CommandError("Unknown command: 'load_curricula'")

    monkeypatch.setattr(demo, "call_command", missing)
    demo.seed(seed_people())
    assert not Cohort.objects.exists() and not Enrolment.objects.exists()


# --- the admin ---------------------------------------------------------------------------------


def test_admin_pages_show_only_the_admins_clinic(clinician):
    from tests.conftest import client_for

    version = make_version(weeks=2)
    mine = make_cohort(version, clinician, name="Ours")
    cohorts.generate_occurrences(mine)
    elsewhere = ClinicFactory()
    theirs = Cohort.objects.create(
        clinic=elsewhere, version=version, name="Theirs", start_date=dt.date(2026, 3, 2)
    )
    admin_client = client_for(AdminFactory())
    body = admin_client.get("/admin/programs/cohort/").content.decode()
    assert "Ours" in body and "Theirs" not in body
    assert admin_client.get(f"/admin/programs/cohort/{mine.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/programs/cohort/{theirs.pk}/change/").status_code == 302
    assert admin_client.get("/admin/programs/occurrence/").status_code == 200
    assert admin_client.get("/admin/programs/attendance/").status_code == 200
    assert admin_client.get("/admin/programs/cohortmembership/").status_code == 200

    response = admin_client.post(
        "/admin/programs/cohort/add/",
        {
            "clinic": mine.clinic_id, "version": version.pk, "name": "Made in admin",
            "facilitators": [clinician.pk], "start_date": "2026-05-04", "meeting_time": "18:00",
            "capacity": "8", "location": "", "video_link": "", "created_at_0": "2026-05-01",
            "created_at_1": "10:00",
            "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
            "occurrences-TOTAL_FORMS": "0", "occurrences-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    made = Cohort.objects.get(name="Made in admin")
    assert made.occurrences.count() == 2
