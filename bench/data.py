"""The benchmark's data: the demo, a year of history for one patient, three caseloads, and
signed-in sessions made directly (no sign-in form, no TOTP code to type).

Everything goes through the ORM and the programmes engine (`programs.enrolments.enrol`,
`complete`), so the rows look like what the app writes; the bulk of the history is
bulk_create'd because a year, written one save at a time, would take longer than the bench.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from io import StringIO
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import transaction
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.test.utils import override_settings
from django.utils import timezone

from journaling.models import CheckIn, ExerciseCompletion, JournalEntry
from programs import enrolments as services
from programs.models import Enrolment, Program
from programs.schedule import plan_for, prefetch_for_plan
from recovery.models import Clinic, User

# The programmes the year-long patient goes through one after the other, as a clinic might
# move someone on (workshop, home programme, group therapy, the 12-week programme, again).
PROGRAMME_ORDER = ["mbm-workshop", "home-programme", "group-psychotherapy-8wk", "mind-body-12wk"]
SENTENCES = [
    "Work has been relentless and I lie awake going over what I did not finish.",
    "I noticed the pain eased while I was writing about the argument.",
    "My mother called again; my back seized up within the hour.",
    "A long walk with the dog, no pain for most of it.",
    "I am angry that nobody notices how much I carry, and I am allowed to be.",
    "Fear about bending is smaller than last month.",
    "I said no to an extra project and felt guilty, then relieved.",
    "The pain is real, and it is not damage. I am safe to move.",
]
KINDS = [
    JournalEntry.Kind.FREE_WRITING,
    JournalEntry.Kind.UNSENT_LETTER,
    JournalEntry.Kind.AFFIRMATION,
    JournalEntry.Kind.SYMPTOM_EMOTION,
    JournalEntry.Kind.ATTENTION_SHIFTING,
]
VISIBILITIES = [
    JournalEntry.Visibility.PRIVATE,
    JournalEntry.Visibility.PRIVATE,
    JournalEntry.Visibility.CARE_TEAM,
    JournalEntry.Visibility.RELEASED,
]


@dataclass
class People:
    demo_patient: User
    year_patient: User
    clinicians: dict[int, User]  # caseload size -> clinician


def _step(label: str, started: float) -> float:
    print(f"  {label:<44} {time.monotonic() - started:5.1f}s", flush=True)
    return time.monotonic()


def populate(history_days: int, caseloads: list[int]) -> People:
    """Migrate an empty database and fill it. Prints how long each step took."""
    t = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    t = _step("migrate", t)
    call_command("load_curricula", stdout=StringIO())
    t = _step("load_curricula", t)
    # seed_demo refuses to run with DEBUG off (it creates known passwords): a bench database
    # is thrown away, so it runs here under DEBUG for the seed only, as `make seed` does.
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=StringIO())
    t = _step("seed_demo", t)
    clinic = Clinic.default()
    with transaction.atomic():
        lead = _user("bench-clinician@bench.test", User.Role.CLINICIAN, clinic, mfa=True)
        year_patient = _user("bench-year@bench.test", User.Role.PATIENT, clinic)
        year_of_history(year_patient, lead, history_days)
    t = _step(f"{history_days} days of history for one patient", t)
    clinicians = {}
    rng = random.Random(7)
    for size in caseloads:
        with transaction.atomic():
            clinicians[size] = _caseload(clinic, size, rng)
        t = _step(f"caseload of {size} patients", t)
    demo_patient = User.objects.get(email="patient@demo.test")
    return People(demo_patient=demo_patient, year_patient=year_patient, clinicians=clinicians)


def _user(email: str, role: str, clinic: Clinic, *, mfa: bool = False) -> User:
    # No password: nobody signs in with these accounts, sessions are made directly (and
    # hashing a thousand passwords would cost minutes).
    user = User.objects.create_user(email, None, role=role, clinic=clinic)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if mfa:
        # Staff without an authenticator are sent to the MFA set-up by the middleware.
        TOTP.activate(user, generate_totp_secret())
    return user


def _programmes() -> list[Program]:
    by_slug = {p.slug: p for p in Program.objects.filter(slug__in=PROGRAMME_ORDER)}
    return [by_slug[s] for s in PROGRAMME_ORDER if s in by_slug]


def year_of_history(
    patient: User, clinician: User, days: int, programmes: list[Program] | None = None
) -> None:
    """`days` days of programmes back to back up to today, the last one still open, with a
    check-in most days, the due exercises done most days and a journal entry most days.
    `programmes` (published) default to the curricula `load_curricula` installs; the
    query-count tests (tests/journaling/test_query_budgets.py) pass their own."""
    rng = random.Random(42)
    today = patient.local_today()
    start = today - dt.timedelta(days=days)
    programmes = programmes if programmes is not None else _programmes()
    enrolments: list[Enrolment] = []
    day, i = start, 0
    while day < today and programmes:
        program = programmes[i % len(programmes)]
        enrolment = services.enrol(patient, clinician, day, program=program)
        length = enrolment.version.weeks.count() * 7
        end = day + dt.timedelta(days=length)
        if end < today:
            services.complete(enrolment, end)
        enrolments.append(enrolment)
        day, i = end, i + 1
    planned = list(prefetch_for_plan(Enrolment.objects.filter(pk__in=[e.pk for e in enrolments])))
    checkins, completions, entries = [], [], []
    for n in range(days):
        local_date = start + dt.timedelta(days=n)
        moment = timezone.make_aware(
            dt.datetime.combine(local_date, dt.time(8 + n % 12, n % 60)),
            timezone.get_current_timezone(),
        )
        trend = max(0, 8 - n * 6 // max(days, 1))  # pain falls over the year, with noise
        if rng.random() < 0.85:
            checkins.append(
                CheckIn(
                    patient=patient,
                    local_date=local_date,
                    created_at=moment,
                    pain=min(10, max(0, trend + rng.randint(-2, 2))),
                    stress=rng.randint(2, 8),
                    mood=rng.randint(3, 8),
                    note=rng.choice(SENTENCES) if rng.random() < 0.4 else "",
                )
            )
        if rng.random() < 0.8:
            for enrolment in planned:
                for exercise in plan_for(enrolment, local_date).exercises:
                    completions.append(
                        ExerciseCompletion(
                            patient=patient,
                            enrolment=enrolment,
                            exercise=exercise,
                            local_date=local_date,
                            minutes=exercise.estimated_minutes,
                            completed_at=moment,
                        )
                    )
        if rng.random() < 0.7:
            entries.append(_entry(patient, local_date, moment, rng))
    CheckIn.objects.bulk_create(checkins, batch_size=500)
    ExerciseCompletion.objects.bulk_create(completions, batch_size=500)
    JournalEntry.objects.bulk_create(entries, batch_size=500)


def _entry(
    patient: User, local_date: dt.date, moment: dt.datetime, rng: random.Random
) -> JournalEntry:
    visibility = rng.choice(VISIBILITIES)
    released = visibility == JournalEntry.Visibility.RELEASED
    kind = rng.choice(KINDS)
    body = "" if released else " ".join(rng.choices(SENTENCES, k=rng.randint(3, 12)))
    return JournalEntry(
        patient=patient,
        local_date=local_date,
        kind=kind,
        visibility=visibility,
        status=JournalEntry.Status.SAVED,
        created_at=moment,
        minutes=rng.randint(5, 30),
        title="" if released else f"{kind.label} of {local_date:%-d %B}",
        recipient="My father" if kind == JournalEntry.Kind.UNSENT_LETTER and not released else "",
        body=body,
        shared_at=moment if visibility == JournalEntry.Visibility.CARE_TEAM else None,
    )


def _caseload(clinic: Clinic, size: int, rng: random.Random) -> User:
    """A clinician responsible for `size` patients, each enrolled (through the engine) some
    days ago, with two weeks of check-ins and a shared entry or two."""
    clinician = _user(f"bench-clinician-{size}@bench.test", User.Role.CLINICIAN, clinic, mfa=True)
    programmes = _programmes()
    checkins, entries = [], []
    now = timezone.now()
    for n in range(size):
        patient = User.objects.create_user(
            f"bench-{size}-{n}@bench.test", None, role=User.Role.PATIENT, clinic=clinic
        )
        patient.patient_profile.display_name = f"Patient {size}-{n:04d}"
        patient.patient_profile.save(update_fields=["display_name"])
        today = patient.local_today()
        if programmes:
            services.enrol(
                patient,
                clinician,
                today - dt.timedelta(days=rng.randint(0, 40)),
                program=programmes[n % len(programmes)],
            )
        for back in range(14):
            if rng.random() < 0.7:
                checkins.append(
                    CheckIn(
                        patient=patient,
                        local_date=today - dt.timedelta(days=back + 1),
                        pain=rng.randint(0, 10),
                        stress=rng.randint(0, 10),
                        mood=rng.randint(0, 10),
                    )
                )
        for back in range(rng.randint(0, 3)):
            entries.append(_entry(patient, today - dt.timedelta(days=back + 1), now, rng))
    CheckIn.objects.bulk_create(checkins, batch_size=500)
    JournalEntry.objects.bulk_create(entries, batch_size=500)
    return clinician


# --- sessions ------------------------------------------------------------------------------


def session_cookie(user: User) -> str:
    """A session key for `user`, signed in as after password and TOTP (allauth's record of
    both methods included), so every middleware treats it as a real signed-in browser."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "recovery.backends.AccountBackend"  # as a sign-in stores it
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    at = time.time()
    methods: list[dict[str, Any]] = [{"method": "password", "at": at, "email": user.email}]
    if user.needs_mfa:
        methods.append({"method": "mfa", "at": at, "type": "totp"})
    session["account_authentication_methods"] = methods
    session.create()
    assert session.session_key is not None
    return session.session_key


def csrf_pair() -> tuple[str, str]:
    """(cookie value, token for the X-CSRFToken header), as a page load would hand out."""
    request = RequestFactory().get("/")
    token = get_token(request)
    return request.META["CSRF_COOKIE"], token


def cookie_header(session_key: str, csrf_secret: str) -> str:
    return (
        f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={csrf_secret}"
    )
