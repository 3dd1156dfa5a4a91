"""The clinician's part of the demo: a dozen generated patients besides the demo patient, in
different programmes and states (one improving, one inactive, one with pain rising, one with
an open safety alert, one paused, one not started yet...), a few follow-up visits, and one for
the demo patient next week. Deterministic (a seeded random) and idempotent: a second run finds
everyone in place and adds nothing. Runs after programs (10) and journaling (20).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from io import StringIO
from typing import Any

from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from journaling.models import CheckIn, ExerciseCompletion
from outcomes.models import InstrumentVersion, QuestionnaireResponse
from outcomes.scoring import score
from outcomes.services import open_safety_alert
from programs import enrolments
from programs.models import Enrolment, Program
from programs.schedule import plan_for, prefetch_for_plan
from recovery.demo import DEMO_PASSWORD
from recovery.models import User

from . import visits
from .models_visits import FollowUpVisit

SEED = 45
HISTORY_DAYS = 21  # check-ins and exercises generated this far back at most
NAMESPACE = uuid.UUID("6f1c2c55-3c55-4b1e-9a55-0d2a45c5e001")

# (email name, display name, programme slug, days into it, state)
PATIENTS: tuple[tuple[str, str, str, int, str], ...] = (
    ("avery", "Avery Chen", "home-programme", 24, "improving"),
    ("blake", "Blake Okafor", "mbm-workshop", 12, "inactive"),
    ("casey", "Casey Morgan", "mind-body-12wk", 30, "alert"),
    ("dana", "Dana Kowalski", "group-psychotherapy-8wk", 18, "rising"),
    ("eli", "Eli Haddad", "home-programme", 5, "steady"),
    ("frankie", "Frankie Ruiz", "mind-body-12wk", 50, "steady"),
    ("gray", "Gray Nakamura", "mbm-workshop", 3, "steady"),
    ("harper", "Harper Lindqvist", "home-programme", 40, "paused"),
    ("indy", "Indy Mensah", "mind-body-12wk", 70, "improving"),
    ("jules", "Jules Moreau", "group-psychotherapy-8wk", 10, "steady"),
    ("kai", "Kai Oduya", "mbm-workshop", -3, "not_started"),
    ("lee", "Lee Sorensen", "home-programme", 20, "steady"),
)
ADHERENCE = {"improving": 0.9, "rising": 0.5, "steady": 0.7, "alert": 0.6, "paused": 0.6}


def _patient(people: Any, name: str, display: str) -> User:
    email = f"{name}@demo.test"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email, DEMO_PASSWORD, role=User.Role.PATIENT, clinic=people.clinic
        )
    profile = user.patient_profile
    if not profile.display_name:
        profile.display_name = display
        profile.time_zone = people.clinic.time_zone
        profile.save()
    return user


def _pain(state: str, i: int, n: int, rng: random.Random) -> int:
    """Pain on day i of n (0 = oldest) for a patient in `state`."""
    noise = rng.choice((-1, 0, 0, 1))
    if state == "improving":
        value = 7 - round(4 * i / max(n - 1, 1)) + noise
    elif state == "rising":
        value = (4 if i < n - 7 else 7) + noise
    else:
        value = 5 + noise
    return max(0, min(10, value))


def _history(patient: User, enrolment: Enrolment, state: str, rng: random.Random) -> None:
    today = patient.local_today()
    first = max(enrolment.start_date, today - dt.timedelta(days=HISTORY_DAYS))
    last = today - dt.timedelta(days=7 if state == "inactive" else 1)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    for i, day in enumerate(days):
        CheckIn.objects.get_or_create(
            patient=patient, local_date=day,
            defaults={"pain": _pain(state, i, len(days), rng), "stress": rng.randint(3, 7),
                      "mood": rng.randint(3, 8)},
        )
        for ex in plan_for(enrolment, day).exercises:
            if rng.random() < ADHERENCE.get(state, 0.6):
                ExerciseCompletion.objects.get_or_create(
                    patient=patient, exercise=ex, local_date=day,
                    defaults={"enrolment": enrolment, "minutes": ex.estimated_minutes},
                )


def _phq9() -> InstrumentVersion | None:
    found = InstrumentVersion.objects.filter(
        instrument__code="PHQ-9", status=InstrumentVersion.Status.PUBLISHED
    ).order_by("-number").first()
    if found is None:
        try:
            with transaction.atomic():  # a savepoint: the rest of the demo goes on without it
                call_command("load_instruments", stdout=StringIO())
        except CommandError:
            return None
        found = InstrumentVersion.objects.filter(
            instrument__code="PHQ-9", status=InstrumentVersion.Status.PUBLISHED
        ).order_by("-number").first()
    return found


def _safety_alert(patient: User) -> None:
    """A PHQ-9 answered with item 9 above 0, and the alert it opens (no email: a demo)."""
    version = _phq9()
    if version is None:
        return
    client_id = uuid.uuid5(NAMESPACE, patient.email)
    if QuestionnaireResponse.objects.filter(patient=patient, client_id=client_id).exists():
        return
    answers: list[int | None] = [2, 2, 1, 2, 1, 2, 1, 1, 1]
    response = QuestionnaireResponse(
        patient=patient, version=version, local_date=patient.local_today(), answers=answers,
        status=QuestionnaireResponse.Status.SUBMITTED, submitted_at=timezone.now(),
        client_id=client_id,
    )
    response.apply_score(score("PHQ-9", answers))
    response.save()
    open_safety_alert(response)


def _visit(
    patient: User, clinician: User, days: int, hour: int, notes: dict[str, str] | None = None
) -> None:
    """A visit `days` from today (negative: held already), unless the patient has one."""
    if FollowUpVisit.objects.filter(patient=patient).exists():
        return
    zone = visits.clinic_zone(clinician)
    day = dt.datetime.now(zone).date() + dt.timedelta(days=days)
    visit, _ = visits.schedule(
        patient, clinician, dt.datetime.combine(day, dt.time(hour, 0), tzinfo=zone)
    )
    if notes:
        visits.record(
            visit, status=FollowUpVisit.Status.DONE, summary=notes["summary"],
            discussed=notes["discussed"], plan=notes["plan"],
        )


def seed(people: Any) -> None:
    rng = random.Random(SEED)  # noqa: S311  (a repeatable demo, not a secret)
    clinician = people.clinician
    programs = {p.slug: p for p in Program.objects.all()}
    for name, display, slug, days_in, state in PATIENTS:
        program = programs.get(slug)
        version = program.latest_published() if program else None
        if version is None:
            continue  # the curricula are not loaded: no generated patients for it
        patient = _patient(people, name, display)
        enrolment = Enrolment.objects.filter(patient=patient).order_by("-pk").first()
        if enrolment is None:
            start = patient.local_today() - dt.timedelta(days=days_in)
            enrolment = enrolments.enrol(patient, clinician, start, version=version)
            if state == "paused":
                enrolments.pause(enrolment, patient.local_today() - dt.timedelta(days=5),
                                 "Demo: travelling for work")
        enrolment = prefetch_for_plan(Enrolment.objects.filter(pk=enrolment.pk)).get()
        if state != "not_started":
            _history(patient, enrolment, state, rng)
        if state == "alert":
            _safety_alert(patient)
        if name == "avery":
            _visit(patient, clinician, 3, 11)
        if name == "frankie":
            _visit(patient, clinician, -10, 9, {
                "summary": "Pain easing; sleeping better.",
                "discussed": "Accepting the diagnosis; daily journaling.",
                "plan": "Gradually more walking; follow-up in four weeks.",
            })
    # The demo patient's follow-up, next week (seed 002: at 3-4 weeks).
    _visit(people.patient, clinician, 7, 10)
