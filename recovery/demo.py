"""Demo people for a newcomer's first sign-in, and the registry of each app's demo seeder.
Idempotent: running it twice changes nothing.

Each app that has a part of the demo registers it from its AppConfig.ready():

    from recovery import demo
    demo.register_seeder("myapp", order=30, seed=myapp_seed)  # seed(people: DemoPeople)

`seed_demo` runs the seeders by `order` (lower first: an app after the ones it builds on).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from .models import Clinic, User

DEMO_PASSWORD = "recovery-demo"
# Fixed so the README can list them; a demo only, never used with real data (DEBUG only).
DEMO_TOTP_SECRETS = {
    "admin@demo.test": "DEMOADMINTOTPSECRETKEYFORTESTING",
    "clinician@demo.test": "DEMOCLINICIANTOTPSECRETKEYFORDEV",
}
CRISIS_TEXT = (
    "If you are thinking about harming yourself, call or text 988 (Suicide & Crisis Lifeline, "
    "US) or your local emergency number now. Clinic line: +1 555 0100 (weekdays 8–18)."
)


@dataclass
class DemoPeople:
    clinic: Clinic
    admin: User
    clinician: User
    patient: User


def _user(email: str, role: str, clinic: Clinic) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, role=role, clinic=clinic)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    secret = DEMO_TOTP_SECRETS.get(email)
    if secret and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
    return user


def seed_people() -> DemoPeople:
    clinic = Clinic.default()
    if clinic.name == "Default clinic":
        clinic.name = "Demo Mind-Body Clinic"
        clinic.time_zone = "America/New_York"
        clinic.crisis_resources = CRISIS_TEXT
        clinic.contact_email = "clinic@demo.test"
        clinic.contact_phone = "+1 555 0100"
        clinic.save()
    admin = _user("admin@demo.test", User.Role.ADMIN, clinic)
    clinician = _user("clinician@demo.test", User.Role.CLINICIAN, clinic)
    profile = clinician.clinician_profile
    if not profile.display_name:
        profile.display_name = "Dr Alex Rivera"
        profile.title = "Physician, mind-body medicine"
        profile.credentials = "MD"
        profile.save()
    patient = _user("patient@demo.test", User.Role.PATIENT, clinic)
    pprofile = patient.patient_profile
    if not pprofile.display_name:
        pprofile.display_name = "Sam Patel"
        pprofile.time_zone = "America/New_York"
        pprofile.save()
    demo_reminder(patient)
    return DemoPeople(clinic=clinic, admin=admin, clinician=clinician, patient=patient)


def demo_reminder(patient: User) -> None:
    """So a newcomer sees reminders work: every seed run (`make run` seeds, then starts beat)
    sets the demo patient's daily reminder to the coming minute of their local clock and
    forgets today's demo reminder, so the dispatcher sends one (console email and the bell)
    within about two minutes. Demo only: real reminders are sent once per local date."""
    from .models import ReminderLedger

    profile = patient.patient_profile
    local = patient.local_now() + dt.timedelta(minutes=1)
    profile.reminder_time = local.time().replace(second=0, microsecond=0)
    profile.save(update_fields=["reminder_time"])
    ReminderLedger.objects.filter(
        recipient=patient, kind="daily_practice", slot=local.date().isoformat()
    ).delete()


Seeder = Callable[[DemoPeople], object]
_seeders: dict[str, tuple[int, Seeder]] = {}


def register_seeder(name: str, order: int, seed: Seeder) -> None:
    """Add an app's part of the demo. Registering the same seeder again is harmless; a name
    registered for another seeder, or an order another seeder holds, fails loudly."""
    existing = _seeders.get(name)
    if existing is not None and existing != (order, seed):
        raise ValueError(f"demo seeder {name!r} is already registered")
    taken = {o: n for n, (o, _) in _seeders.items() if n != name}
    if order in taken:
        raise ValueError(f"demo seeder order {order} is taken by {taken[order]!r}")
    _seeders[name] = (order, seed)


def seeders() -> list[tuple[str, Seeder]]:
    """The registered seeders, in the order they run."""
    return [(name, seed) for name, (_, seed) in sorted(_seeders.items(), key=lambda i: i[1][0])]
