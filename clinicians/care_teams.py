"""A patient's care team: the rules for changing it, the panel of the patient's page, and how
enrolments and cohorts keep it complete.

The care team is what clinicians.access reads. Two things put people on it without anyone
opening this panel, so the team never lags behind the care actually given:
- the responsible clinician of a new enrolment (primary if the patient has none yet);
- the facilitators of a cohort the patient joins (or who start facilitating it), as "other".
Both go through `ensure_member`, connected to the models' signals in CliniciansConfig.ready(),
because programs (below us) cannot call up into clinicians, and the admin creates enrolments
and memberships too.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from programs.models import Cohort, CohortMembership, Enrolment
from recovery import freshness
from recovery.models import User

from .models import CareTeamMember

Role = CareTeamMember.Role


def team_of(patient: User) -> QuerySet[CareTeamMember]:
    """The care team, primary first, with each clinician's profile loaded."""
    return (
        CareTeamMember.objects.filter(patient=patient)
        .select_related("clinician__clinician_profile")
        .order_by("-role", "added_at", "pk")  # "primary" > "other"
    )


def clinicians_of(patient: User) -> QuerySet[User]:
    """The active clinicians on the patient's care team (recovery.access.care_team_of)."""
    return User.objects.filter(
        care_of__patient=patient, is_active=True, clinic_id=patient.clinic_id
    ).distinct()


def primary_of(patient: User) -> User | None:
    member = (
        CareTeamMember.objects.filter(patient=patient, role=Role.PRIMARY)
        .select_related("clinician__clinician_profile")
        .first()
    )
    return member.clinician if member else None


def member_problem(patient: User, clinician: User) -> str | None:
    if not patient.is_patient:
        return _("%(person)s is not a patient account.") % {"person": patient}
    if not clinician.is_clinician:
        return _("%(person)s is not a clinician account.") % {"person": clinician}
    if clinician.clinic_id != patient.clinic_id or not clinician.is_active:
        return _("%(clinician)s is not a clinician of %(patient)s's clinic.") % {
            "clinician": clinician, "patient": patient.display_name}
    return None


def candidates(patient: User) -> QuerySet[User]:
    """Clinicians who may be added: active clinicians of the patient's clinic not on the team."""
    return (
        User.objects.filter(role=User.Role.CLINICIAN, clinic_id=patient.clinic_id, is_active=True)
        .exclude(care_of__patient=patient)
        .select_related("clinician_profile")
        .order_by("clinician_profile__display_name", "email")
    )


def add_member(
    patient: User, clinician: User, *, by: User | None, role: str = Role.OTHER
) -> CareTeamMember:
    """Put `clinician` on `patient`'s care team (idempotent: adding a member again changes
    nothing). With role=primary they become the primary, the previous one staying as "other".
    Who may do it is decided by the caller (clinicians.access in views)."""
    problem = member_problem(patient, clinician)
    if problem:
        raise ValidationError(problem)
    if role == Role.PRIMARY:
        return set_primary(patient, clinician, by=by)
    try:
        with transaction.atomic():  # a savepoint: a lost race must not break the caller's
            member, _ = CareTeamMember.objects.get_or_create(
                patient=patient, clinician=clinician,
                defaults={"role": Role.OTHER, "added_by": by},
            )
    except IntegrityError:
        member = CareTeamMember.objects.get(patient=patient, clinician=clinician)
    return member


def set_primary(patient: User, clinician: User, *, by: User | None) -> CareTeamMember:
    """Make `clinician` the primary (adding them if needed); the former primary stays on the
    team as "other". The database holds one primary per patient; the row lock on the patient
    makes two simultaneous changes queue instead of failing."""
    problem = member_problem(patient, clinician)
    if problem:
        raise ValidationError(problem)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=patient.pk).first()
        CareTeamMember.objects.filter(patient=patient, role=Role.PRIMARY).exclude(
            clinician=clinician
        ).update(role=Role.OTHER)
        freshness.touch(patient.pk)  # update() sends no signal
        member, created = CareTeamMember.objects.get_or_create(
            patient=patient, clinician=clinician, defaults={"role": Role.PRIMARY, "added_by": by}
        )
        if not created and member.role != Role.PRIMARY:
            member.role = Role.PRIMARY
            member.save(update_fields=["role"])
    return member


def remove_member(patient: User, clinician: User, *, by: User | None) -> bool:
    """Take `clinician` off the team; False when they were not on it (a repeated request).
    Refused for the primary while the patient has an open enrolment (choose another primary
    first), and for the responsible clinician of an open enrolment (they must keep seeing
    the patient they are responsible for)."""
    member = CareTeamMember.objects.filter(patient=patient, clinician=clinician).first()
    if member is None:
        return False
    name = clinician.display_name
    open_ = Enrolment.objects.open().filter(patient=patient)
    if member.role == Role.PRIMARY and open_.exists():
        raise ValidationError(
            _("%(name)s is the primary clinician and %(patient)s has an open "
                  "enrolment: make someone else primary first.") % {"name": name, "patient": patient.display_name}
        )
    responsible = open_.filter(clinician=clinician).select_related("program").first()
    if responsible is not None:
        raise ValidationError(
            _("%(name)s is responsible for %(patient)s's enrolment in “%(program)s”, "
                  "so they stay on the care team while it is open.") % {"name": name, "patient": patient.display_name, "program": responsible.program}
        )
    member.delete()
    return True


def ensure_member(patient: User, clinician: User, *, by: User | None = None) -> None:
    """Keep the team complete (see the module's docstring): add `clinician`, as primary if
    the patient has none, unless they are already on it. Quietly does nothing for someone
    who may not be on it (another clinic's facilitator: the admin is clinic-scoped anyway)."""
    if member_problem(patient, clinician):
        return
    if CareTeamMember.objects.filter(patient=patient, clinician=clinician).exists():
        return
    has_primary = CareTeamMember.objects.filter(patient=patient, role=Role.PRIMARY).exists()
    if has_primary:
        add_member(patient, clinician, by=by)
    else:
        set_primary(patient, clinician, by=by)


# --- signals (connected in apps.py) ---------------------------------------------------------


def on_enrolment_saved(sender: Any, instance: Enrolment, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        ensure_member(instance.patient, instance.clinician)


def on_membership_saved(
    sender: Any, instance: CohortMembership, created: bool, **kwargs: Any
) -> None:
    if created and not kwargs.get("raw"):
        patient = instance.enrolment.patient
        for facilitator in instance.cohort.facilitators.all():
            ensure_member(patient, facilitator)


def on_facilitators_changed(
    sender: Any, instance: Any, action: str, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """A facilitator added to a cohort joins each member's care team."""
    if action != "post_add" or not pk_set:
        return
    if isinstance(instance, Cohort):
        cohorts, facilitators = [instance], list(User.objects.filter(pk__in=pk_set))
    else:  # added from the user's side: user.facilitating.add(cohort)
        cohorts, facilitators = list(Cohort.objects.filter(pk__in=pk_set)), [instance]
    for cohort in cohorts:
        members = User.objects.filter(enrolments__memberships__cohort=cohort).distinct()
        for patient in members:
            for facilitator in facilitators:
                ensure_member(patient, facilitator)


# --- the patient page's panel -----------------------------------------------------------------


def panel_context(patient: User, user: User) -> dict[str, Any]:
    """Context of templates/clinicians/patients/_care_team.html. `patient` was found through
    clinicians.access (so `user` is on the team or the clinic's admin: both may manage it)."""
    members = list(team_of(patient))
    return {
        "patient": patient,
        "care_team": members,
        "care_team_candidates": list(candidates(patient)),
        "care_team_has_open_enrolment": Enrolment.objects.open().filter(patient=patient).exists(),
        "care_team_can_manage": user.is_admin or any(m.clinician_id == user.pk for m in members),
    }
