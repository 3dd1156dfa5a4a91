"""Demo people for a newcomer's first sign-in. Idempotent: running it twice changes nothing."""

from __future__ import annotations

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
    return DemoPeople(clinic=clinic, admin=admin, clinician=clinician, patient=patient)
