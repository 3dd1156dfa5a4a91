"""Every user has the profile of their role, whichever path created them."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import ClinicianProfile, PatientProfile, User


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
