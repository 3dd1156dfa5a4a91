"""People who sign up on their own (when ACCOUNT_ALLOW_REGISTRATION is on).

They get a patient account in the deployment's default clinic and a pending JoinRequest: no
clinician sees them (they are on no care team), the admin's caseload leaves them out
(clinicians.access), and they land on a "waiting for your clinic" page instead of Today. A
clinician of the clinic accepts them from the invitations page and becomes their primary
clinician; an admin accepts them naming the primary.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from recovery.access import in_clinic
from recovery.models import User

from . import care_teams
from .models import JoinRequest


def request_to_join(user: User) -> JoinRequest:
    """Called when a person signs up alone (recovery.adapters). Idempotent."""
    join, _ = JoinRequest.objects.get_or_create(patient=user, defaults={"clinic": user.clinic})
    return join


def on_signed_up(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    """allauth's user_signed_up: a person who signed up alone waits for their clinic."""
    if user.is_patient:
        request_to_join(user)


def landing(user: User) -> str | None:
    """recovery.adapters' landing hook: a waiting person lands on the waiting page."""
    return reverse("waiting_for_clinic") if is_waiting(user) else None


def is_waiting(user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.is_patient
        and JoinRequest.objects.filter(patient=user, accepted_at=None).exists()
    )


def waiting_for(user: User) -> QuerySet[JoinRequest]:
    """The people waiting to join `user`'s clinic (staff only), oldest first."""
    if not (user.is_clinician or user.is_admin):
        return JoinRequest.objects.none()
    return in_clinic(
        JoinRequest.objects.filter(accepted_at=None, patient__role=User.Role.PATIENT), user
    ).select_related("patient__patient_profile")


def get_join_request_for(user: User, join_id: object) -> JoinRequest | None:
    """A join request of `user`'s clinic (staff only), accepted or not: accepting twice
    says "already accepted" rather than "not found"."""
    if not (user.is_clinician or user.is_admin):
        return None
    try:
        pk = int(str(join_id))
    except ValueError:
        return None
    return in_clinic(JoinRequest.objects.select_related("patient"), user).filter(pk=pk).first()


def accept(join: JoinRequest, by: User, primary: User) -> bool:
    """Accept a waiting person into the clinic with `primary` as their primary clinician.
    False when someone already accepted them (a double click, or a colleague first)."""
    if not (by.is_clinician or by.is_admin) or by.clinic_id != join.clinic_id:
        raise ValidationError(_("Only staff of this clinic can accept this person."))
    with transaction.atomic():
        claimed = JoinRequest.objects.filter(pk=join.pk, accepted_at=None).update(
            accepted_at=timezone.now(), accepted_by=by
        )
        if not claimed:
            return False
        care_teams.set_primary(join.patient, primary, by=by)
    join.refresh_from_db()
    return True

