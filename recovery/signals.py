"""Every user has the profile of their role, whichever path created them; and the signals by
which the core asks each app to answer for its own data (the core names no feature)."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from .models import ClinicianProfile, PatientProfile, User

# Sent by recovery.deletion.purge_account inside its transaction, with `patient` (a User) and
# `now` (an aware datetime). Each app that holds a patient's data connects one receiver in its
# AppConfig.ready(): it deletes (or closes) that app's rows about the patient and returns a
# {label: count} dict for the audit trail. A receiver that raises rolls the whole purge back
# (sent with send(), not send_robust(): a half-purged account is worse than a retried one).
purge_patient_data = Signal()


@receiver(post_save, sender=User)
def ensure_profile(sender: type[User], instance: User, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    if instance.is_patient:
        PatientProfile.objects.get_or_create(
            user=instance, defaults={"time_zone": instance.clinic.time_zone}
        )
    elif instance.is_clinician:
        ClinicianProfile.objects.get_or_create(user=instance)


def create_default_clinic(sender: object, **kwargs: Any) -> None:
    """`migrate` leaves a default clinic behind, so a fresh install has somewhere to put people."""
    from .models import Clinic

    Clinic.default()
