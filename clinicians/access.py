"""Who on the staff may see which patient, cohort and journal entry: the only place it is decided.

Built on `recovery.access` (the clinic boundary). The rules:
- a clinician sees the patients whose care team they are on (explicit data, kept by
  clinicians.care_teams: the responsible clinician of an enrolment and a cohort's facilitators
  join it on their own); an admin, every patient of their own clinic who is not still waiting to
  join it (clinicians.models.JoinRequest); nobody crosses clinics;
- a clinician runs the cohorts they facilitate; an admin, every cohort of their clinic;
- of a journal, staff read only what the patient shared (`JournalEntry.objects.shared()`).
Everything answers with querysets, and lookups 404 (never 403: another clinic's ids leak
nothing). Reads of one patient's data are written to the audit trail by the same call that
finds the patient. Every view of the `clinicians` namespace goes through here:
tests/clinicians/test_views_use_access.py fails for a new one that does not.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from clinicians.models import CareTeamMember, Invitation, JoinRequest
from journaling.models import JournalEntry, JournalEntryQuerySet
from programs.models import Cohort, Enrolment, Occurrence
from recovery import audit
from recovery.access import in_clinic
from recovery.http import AuthedHttpRequest
from recovery.models import User

# --- patients -----------------------------------------------------------------------------


def patients_for(user: User) -> QuerySet[User]:
    """The patients of `user`'s care team, always within their own clinic."""
    if not user.is_authenticated or not (user.is_admin or user.is_clinician):
        return User.objects.none()
    base = in_clinic(User.objects.filter(role=User.Role.PATIENT), user)
    if user.is_admin:
        # Someone who signed up alone is nobody's patient until the clinic accepts them:
        # they are on the invitations page's waiting list, not in the caseload.
        return base.exclude(pk__in=JoinRequest.objects.filter(accepted_at=None).values("patient"))
    # A subquery, not a join: one row per patient, and no .distinct() for callers to undo.
    return base.filter(pk__in=CareTeamMember.objects.filter(clinician=user).values("patient"))


def on_care_team(user: User, patient: User) -> bool:
    """Is `user` on `patient`'s care team (an admin is not, though they see the clinic)?"""
    return CareTeamMember.objects.filter(clinician=user, patient=patient).exists()


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _patient_or_404(user: User, patient_id: Any) -> User:
    patient = (
        patients_for(user).select_related("patient_profile").filter(pk=_int(patient_id) or 0).first()
    )
    if patient is None:
        raise Http404("No such patient")
    return patient


def get_patient_for(
    request: AuthedHttpRequest, patient_id: Any, action: str, **detail: Any
) -> User:
    """The patient, if the signed-in user's care team includes them (404 otherwise), with the
    read written to the audit trail as `action` in the same call: no view can forget it."""
    patient = _patient_or_404(request.user, patient_id)
    audit.record(request, action, patient=patient, **detail)
    return patient


def with_shared_count(patients: QuerySet[User]) -> QuerySet[User]:
    """`patients` annotated with `shared_count`: how many entries each shared (a subquery, so
    it neither multiplies rows nor grows the query count with the caseload)."""
    counts = (
        JournalEntry.objects.shared()
        .filter(patient=OuterRef("pk"))
        .order_by()
        .values("patient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return patients.annotate(
        shared_count=Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))
    )


# --- invitations ----------------------------------------------------------------------------


def invitations_for(user: User) -> QuerySet[Invitation]:
    """Invitations `user` may see and act on: those they sent or whose care team names them;
    an admin, every invitation of their clinic."""
    if not user.is_authenticated or not (user.is_admin or user.is_clinician):
        return Invitation.objects.none()
    base = in_clinic(Invitation.objects.all(), user)
    if user.is_admin:
        return base
    named = Invitation.care_team.through.objects.filter(user=user).values("invitation_id")
    return base.filter(Q(invited_by=user) | Q(pk__in=named))


def get_invitation_for(user: User, invitation_id: Any) -> Invitation:
    invitation = invitations_for(user).filter(pk=_int(invitation_id) or 0).first()
    if invitation is None:
        raise Http404("No such invitation")
    return invitation


# --- the shared part of a journal -----------------------------------------------------------


def shared_journal_for(user: User, patient: User) -> JournalEntryQuerySet:
    """What `user` may read of `patient`'s journal: the shared entries, if `patient` is in
    their care team; nothing otherwise."""
    return JournalEntry.objects.shared().filter(
        patient=patient, patient__in=patients_for(user).values("pk")
    )


def shared_journal_page(
    request: AuthedHttpRequest, patient_id: Any, page_number: Any, per_page: int
) -> tuple[User, Page[JournalEntry]]:
    """One page of a patient's shared entries (404 outside the care team). The audit event
    names the entries actually read, so it is written once the page is known."""
    patient = _patient_or_404(request.user, patient_id)
    entries = (
        shared_journal_for(request.user, patient)
        .select_related("exercise")
        .order_by("-local_date", "-created_at", "-pk")
    )
    page = Paginator(entries, per_page).get_page(page_number)
    audit.record(
        request,
        "view_shared_journal",
        patient=patient,
        entries=[entry.pk for entry in page],
        page=page.number,
    )
    return patient, page


# --- cohorts --------------------------------------------------------------------------------


def cohorts_for(user: User) -> QuerySet[Cohort]:
    """Cohorts `user` runs: those they facilitate; an admin, every cohort of their clinic."""
    if not user.is_authenticated or not (user.is_admin or user.is_clinician):
        return Cohort.objects.none()
    base = in_clinic(Cohort.objects.all(), user)
    return base if user.is_admin else base.filter(facilitators=user)


def can_run(cohort: Cohort, user: User) -> bool:
    """May `user` change `cohort` (members, attendance, schedule)?"""
    return cohorts_for(user).filter(pk=cohort.pk).exists()


def get_cohort_for(user: User, cohort_id: Any) -> Cohort:
    """A cohort `user` runs, with its clinic and programme loaded; 404 otherwise."""
    cohort = (
        cohorts_for(user)
        .select_related("clinic", "version__program")
        .filter(pk=_int(cohort_id) or 0)
        .first()
    )
    if cohort is None:
        raise Http404("No such cohort")
    return cohort


def get_occurrence_for(cohort: Cohort, occurrence_id: Any) -> Occurrence:
    """A meeting of `cohort` (found through get_cohort_for); 404 for any other id."""
    occurrence = (
        Occurrence.objects.select_related("session")
        .filter(pk=_int(occurrence_id) or 0, cohort=cohort)
        .first()
    )
    if occurrence is None:
        raise Http404("No such session")
    occurrence.cohort = cohort  # already loaded, with its clinic
    return occurrence


def members_of(cohort: Cohort) -> QuerySet[User]:
    """The patients in `cohort` (found through get_cohort_for)."""
    return User.objects.filter(enrolments__memberships__cohort=cohort).distinct()


def get_member_for(cohort: Cohort, patient_id: Any) -> User:
    """A member of `cohort` (found through get_cohort_for); 404 for anyone else."""
    patient = (
        members_of(cohort).select_related("patient_profile").filter(pk=_int(patient_id) or 0).first()
    )
    if patient is None:
        raise Http404("No such member")
    return patient


def joinable_enrolments(cohort: Cohort, user: User) -> QuerySet[Enrolment]:
    """Open enrolments in the cohort's programme of patients in `user`'s care team (and the
    cohort's clinic) who are not members yet: whom `user` may offer to add."""
    return (
        Enrolment.objects.open()
        .filter(
            program_id=cohort.version.program_id,
            patient__clinic_id=cohort.clinic_id,
            patient__in=patients_for(user).values("pk"),
        )
        .exclude(memberships__cohort=cohort)
    )
