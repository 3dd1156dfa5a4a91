"""The programme part of the demo: the demo patient is 9 days into the MBM workshop (seed 001),
in a cohort the demo clinician facilitates, present at the group sessions already held.
Idempotent: a second run finds everything in place and changes nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from . import cohorts
from .enrolments import enrol
from .models import Attendance, Cohort, Enrolment, Program, ProgramVersion, Screening

PROGRAM_SLUG = "mbm-workshop"
COHORT_NAME = "MBM workshop — demo cohort"
DAYS_IN = 9


def _published_version() -> ProgramVersion | None:
    program = Program.objects.filter(slug=PROGRAM_SLUG).first()
    version = program.latest_published() if program else None
    if version is None:
        try:
            # A savepoint: a half-finished import must not spoil the rest of the demo.
            with transaction.atomic():
                call_command("load_curricula", stdout=StringIO())
        except CommandError:
            return None  # no curricula shipped (yet): the demo goes on without a programme
        program = Program.objects.filter(slug=PROGRAM_SLUG).first()
        version = program.latest_published() if program else None
    return version


def _enrolment(people: Any, version: ProgramVersion) -> Enrolment:
    patient, clinician = people.patient, people.clinician
    existing = Enrolment.objects.open().filter(
        patient=patient, program_id=version.program_id
    ).first()
    if existing is not None:
        return existing
    start = patient.local_today() - dt.timedelta(days=DAYS_IN)
    return enrol(patient, clinician, start, version=version)


def _cohort(people: Any, enrolment: Enrolment) -> Cohort:
    cohort = Cohort.objects.filter(clinic=people.clinic, name=COHORT_NAME).first()
    if cohort is None:
        cohort = Cohort.objects.create(
            clinic=people.clinic,
            version=enrolment.version,
            name=COHORT_NAME,
            start_date=enrolment.start_date,
            meeting_time=dt.time(18, 0),
            capacity=10,
            location="Group room, 2nd floor",
        )
    cohort.facilitators.add(people.clinician)
    return cohort


def seed(people: Any) -> None:
    version = _published_version()
    if version is None:
        return
    clinician = people.clinician
    enrolment = _enrolment(people, version)
    cohort = _cohort(people, enrolment)
    occurrences = cohorts.generate_occurrences(cohort)
    program = version.program
    if cohorts.screening_refusal(people.patient, program):
        cohorts.record_screening(
            people.patient,
            program,
            clinician,
            enrolment.start_date,
            Screening.Outcome.CLEARED,
            "Demo: no severe depression or suicidal thoughts at the evaluation.",
        )
    if enrolment.status != Enrolment.Status.ACTIVE:
        return  # someone paused the demo enrolment: leave it be
    cohorts.join_cohort(cohort, enrolment, clinician)
    now = timezone.now()
    for occ in occurrences:
        ended = occ.starts_at + dt.timedelta(minutes=occ.duration_minutes) <= now
        if ended and not occ.cancelled:
            recorded = Attendance.objects.filter(occurrence=occ, patient=people.patient).exists()
            if not recorded:  # a facilitator's later correction is left alone
                cohorts.record_attendance(
                    occ, people.patient, Attendance.Status.PRESENT, clinician
                )
