"""The outcomes part of the demo (after programs' and journaling's seeders):
- the demo patient, 9 days into the MBM workshop, answered PHQ-9, GAD-7, PEG, PCS and the pain
  NRS at baseline and the PEG in week 1; week 2's PEG is due today (the workshop's schedule);
- eight more patients of the demo clinician finished the workshop about seven months ago and
  answered at baseline, at the end and 3 and 6 months after (one lost to follow-up), so the
  Programme outcomes page has figures to show.
Idempotent: each answer has a fixed client id (services.submit returns the saved row again),
and the other patients are found by email.
"""

from __future__ import annotations

import datetime as dt
import uuid
from io import StringIO
from typing import Any

from django.core.management import call_command

from programs import enrolments
from programs.models import Enrolment, Program
from recovery.demo import DEMO_PASSWORD
from recovery.models import User

from . import services
from .models import Instrument
from .schedule import add_months

PROGRAM_SLUG = "mbm-workshop"
NAMESPACE = uuid.UUID("7d3f0c52-3a8e-4b7e-9d1e-2f6c1a0b5e11")

# Baseline answers of the demo patient: mild symptoms, item 9 at 0.
DEMO_BASELINE = {
    "PHQ-9": [1, 1, 1, 1, 0, 1, 0, 0, 0],
    "GAD-7": [1, 1, 2, 1, 0, 1, 1],
    "PEG-3": [6, 6, 5],
    "PCS": [2, 2, 1, 2, 1, 2, 2, 2, 3, 2, 2, 1, 2],
    "NRS": [6],
}
WEEK_1_PEG = [5, 5, 4]

# Eight former patients: NRS at the end, 3 and 6 months (None: did not answer).
FORMER_NRS = [
    (0, 0, 0), (0, 0, 0), (0, 0, 0), (0, 1, 0), (0, 0, 1), (2, 1, 1), (3, 2, 4), (1, 2, None),
]


def _submit(patient: User, code: str, on: dt.date, answers: list[int]) -> None:
    instrument = Instrument.objects.filter(code=code).first()
    version = instrument.versions.order_by("-number").first() if instrument else None
    if version is None:
        return
    extra = {q["key"]: 0 for q in version.extra_questions}
    client_id = uuid.uuid5(NAMESPACE, f"{patient.email}|{code}|{on.isoformat()}")
    services.submit(patient, version, list[int | None](answers), extra, on, client_id)


def _instruments_loaded() -> bool:
    if not Instrument.objects.exists():
        call_command("load_instruments", stdout=StringIO())
    return Instrument.objects.exists()


def _demo_patient(people: Any) -> None:
    enrolment = (
        Enrolment.objects.filter(patient=people.patient, program__slug=PROGRAM_SLUG)
        .order_by("-start_date").first()
    )
    if enrolment is None:
        return
    start = enrolment.start_date
    for code, answers in DEMO_BASELINE.items():
        _submit(people.patient, code, start - dt.timedelta(days=1), answers)
    _submit(people.patient, "PEG-3", start + dt.timedelta(days=2), WEEK_1_PEG)


def _former(people: Any, i: int) -> User:
    email = f"former{i + 1}@demo.test"
    user = User.objects.filter(email=email).first()
    if user is None:
        # The demo's password too, so anyone trying the demo may look through their eyes.
        user = User.objects.create_user(
            email, DEMO_PASSWORD, role=User.Role.PATIENT, clinic=people.clinic
        )
        profile = user.patient_profile
        profile.display_name = f"Former patient {i + 1}"
        profile.time_zone = "America/New_York"
        profile.save()
    return user


def _former_patients(people: Any) -> None:
    program = Program.objects.filter(slug=PROGRAM_SLUG).first()
    version = program.latest_published() if program else None
    if version is None:
        return
    today = people.clinician.local_today()
    end = add_months(today, -7)
    start = end - dt.timedelta(days=7 * version.weeks.count())
    for i, (at_end, at_3, at_6) in enumerate(FORMER_NRS):
        patient = _former(people, i)
        if not Enrolment.objects.filter(patient=patient, program=program).exists():
            e = enrolments.enrol(patient, people.clinician, start, version=version)
            enrolments.complete(e, end)
        base = start - dt.timedelta(days=1)
        worse = at_end >= 3  # the one who did not improve much
        _submit(patient, "NRS", base, [7 - i % 3])
        _submit(patient, "PEG-3", base, [7, 7 - i % 2, 6])
        _submit(patient, "PHQ-9", base, [2, 1, 2, 1, 1, 1, 1, 0, 0])
        _submit(patient, "GAD-7", base, [2, 2, 1, 1, 1, 1, 1])
        _submit(patient, "PCS", base, [3, 2, 3, 2, 2, 3, 2, 3, 3, 2, 3, 2, 3])
        _submit(patient, "NRS", end, [at_end])
        _submit(patient, "PEG-3", end, [5, 5, 5] if worse else [2, 1 + i % 2, 2])
        _submit(patient, "PHQ-9", end, [1, 1, 1, 0, 0, 1, 0, 0, 0])
        _submit(patient, "GAD-7", end, [1, 1, 1, 0, 0, 1, 0])
        _submit(patient, "PCS", end, [1, 1, 2, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1])
        for months, nrs in ((3, at_3), (6, at_6)):
            if nrs is not None:
                on = add_months(end, months) + dt.timedelta(days=2)
                _submit(patient, "NRS", on, [nrs])
                _submit(patient, "PEG-3", on, [nrs + 1, nrs, nrs + 1])


def seed(people: Any) -> None:
    if not _instruments_loaded():
        return
    _demo_patient(people)
    _former_patients(people)
