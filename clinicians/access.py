"""Who may see which patient. Every clinician-facing view goes through get_patient_for()."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from recovery.models import User


def patients_for(user: User) -> QuerySet[User]:
    """The patients in `user`'s care team: those with an enrolment they are responsible for,
    or in a cohort they facilitate; always within the user's own clinic. Admins see their
    clinic's patients (every read is audited)."""
    if not user.is_authenticated:
        return User.objects.none()
    base = User.objects.filter(role=User.Role.PATIENT, clinic_id=user.clinic_id)
    if user.is_admin:
        return base
    if not user.is_clinician:
        return User.objects.none()
    return base.filter(
        Q(enrolments__clinician=user)
        | Q(enrolments__memberships__cohort__facilitators=user)
    ).distinct()


def get_patient_for(user: User, patient_id: int | str) -> User:
    """The patient, if `user` may see them; 404 otherwise (never 403: no existence leak)."""
    try:
        return patients_for(user).select_related("patient_profile").get(pk=patient_id)
    except (User.DoesNotExist, ValueError) as exc:
        raise Http404("No such patient") from exc
