"""Inviting a patient by email: the rules of an invitation's life, called by the views and tests.

The link carries a random token; the database keeps only its SHA-256, so a leaked table opens
no account. A link works once, until it expires (settings.INVITATION_TTL_DAYS) and while it is
not revoked; re-sending makes a new token, which kills the old link. Accepting is one
transaction that first *claims* the invitation with a conditional UPDATE: of two simultaneous
accepts exactly one wins, and the unique email is a second lock behind it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programs import cohorts as cohort_rules
from programs import enrolments
from programs.models import Cohort, Enrolment, Program
from recovery.models import PatientProfile, User
from recovery.plaintext import render_plain
from recovery.tasks import send_email

from . import care_teams
from .models import Invitation, JoinRequest


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, _hash(token)


def ttl() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "INVITATION_TTL_DAYS", 7)))


def link(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("invitation_accept", args=[token])


def find(token: str) -> Invitation | None:
    """The invitation a link's token opens, whatever its state; None for a made-up token."""
    if not token or len(token) > 100:
        return None
    return Invitation.objects.select_related("clinic", "program", "cohort").filter(
        token_hash=_hash(token)
    ).first()


def existing_account(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).first()


def email_problem(clinic_id: int, email: str) -> tuple[str, User | None] | None:
    """Why `email` cannot be invited (and the patient of this clinic it belongs to, whom the
    clinician can enrol instead), or None."""
    user = existing_account(email)
    if user is None:
        return None
    waiting = JoinRequest.objects.filter(patient=user, clinic_id=clinic_id, accepted_at=None)
    if user.is_patient and waiting.exists():
        return (
            _("%(email)s signed up already and is waiting to join this clinic: accept them "
              "under “Waiting to join” instead.") % {"email": email},
            None,
        )
    if user.is_patient and user.clinic_id == clinic_id:
        return (
            _("%(email)s already has an account: %(name)s is a patient of this clinic. "
              "Enrol them in a programme from their page instead.") % {
                "email": email, "name": user.display_name},
            user,
        )
    return (_("%(email)s already has an account, so it cannot be invited as a new "
              "patient.") % {"email": email}, None)


def invite(
    by: User,
    email: str,
    *,
    extra_clinicians: Iterable[User] = (),
    program: Program | None = None,
    cohort: Cohort | None = None,
    send: bool = True,
) -> tuple[Invitation, bool]:
    """Invite `email` to `by`'s clinic, `by` as primary clinician. Returns (invitation,
    created): a pending invitation to the same address is returned as it is (a double-clicked
    "Send" sends one email). Raises ValidationError with a message for the form."""
    email = User.objects.normalize_email(email.strip()).lower()
    problem = email_problem(by.clinic_id, email)
    if problem:
        raise ValidationError(problem[0])
    if cohort is not None:
        if cohort.clinic_id != by.clinic_id:
            raise ValidationError(_("Choose a cohort of your clinic."))
        if program is None:
            program = cohort.version.program
        elif cohort.version.program_id != program.pk:
            raise ValidationError(_("“%(cohort)s” runs another programme than “%(program)s”.") % {"cohort": cohort.name, "program": program})
    if program is not None and program.latest_published() is None:
        raise ValidationError(_("“%(program)s” has no published version yet.") % {"program": program})
    extras = [c for c in extra_clinicians if c.pk != by.pk]
    for clinician in extras:
        if not clinician.is_clinician or clinician.clinic_id != by.clinic_id:
            raise ValidationError(_("%(clinician)s is not a clinician of your clinic.") % {"clinician": clinician})
    now = timezone.now()
    pending = Invitation.objects.filter(
        clinic_id=by.clinic_id, email=email, accepted_at=None, revoked_at=None, expires_at__gt=now
    ).first()
    if pending is not None:
        return pending, False
    token, token_hash = _new_token()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            clinic_id=by.clinic_id, email=email, invited_by=by, program=program, cohort=cohort,
            token_hash=token_hash, created_at=now, expires_at=now + ttl(),
        )
        invitation.care_team.set(extras)
        if send:
            _send(invitation, token)
    return invitation, True


def _send(invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "link": link(token),
        "clinic": invitation.clinic,
        "inviter": invitation.invited_by,
        "site_name": settings.SITE_NAME,
        "expires_at": invitation.expires_at,
    }
    invites = _("%(clinic)s invites you to join") % {"clinic": invitation.clinic.name}
    subject = f"[{settings.SITE_NAME}] {invites}"
    text = render_plain("clinicians/invitations/email.txt", context)  # names as typed
    html = render_to_string("clinicians/invitations/email.html", context)
    # Sent by the worker once the invitation is committed: a slow mail server never holds the
    # page, and a rolled-back invitation sends nothing.
    send_email.delay_on_commit(  # type: ignore[attr-defined]
        subject, text, settings.DEFAULT_FROM_EMAIL, [invitation.email], html
    )
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["sent_at"])


def resend(invitation: Invitation) -> Invitation:
    """A new link (and a new expiry), emailed again: the old link stops working. An accepted
    or revoked invitation cannot be re-sent."""
    with transaction.atomic():
        current = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if current.accepted_at is not None:
            raise ValidationError(_("%(email)s has already accepted this invitation.") % {"email": current.email})
        if current.revoked_at is not None:
            raise ValidationError(_("This invitation was revoked; invite the person again instead."))
        if existing_account(current.email) is not None:
            raise ValidationError(_("%(email)s has an account now; it cannot be re-sent.") % {"email": current.email})
        token, current.token_hash = _new_token()
        now = timezone.now()
        current.created_at, current.expires_at = now, now + ttl()
        current.save(update_fields=["token_hash", "created_at", "expires_at"])
        _send(current, token)
    invitation.refresh_from_db()
    return invitation


def revoke(invitation: Invitation) -> bool:
    """Kill the link. False when it was already revoked (a repeated request); an accepted
    invitation cannot be revoked (the account exists: withdraw the enrolment instead)."""
    if invitation.accepted_at is not None:
        raise ValidationError(
            _("%(email)s has already accepted; withdraw their enrolment if needed.") % {"email": invitation.email}
        )
    changed = Invitation.objects.filter(
        pk=invitation.pk, revoked_at=None, accepted_at=None
    ).update(revoked_at=timezone.now())
    invitation.refresh_from_db()
    return bool(changed)


# --- accepting ------------------------------------------------------------------------------


class InvitationUnusable(Exception):
    """The link is expired, used or revoked: `status` says which."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


@dataclass
class Accepted:
    user: User
    invitation: Invitation
    enrolment: Enrolment | None = None
    notes: list[str] = field(default_factory=list)


def _claim(invitation: Invitation, now: dt.datetime) -> bool:
    """Mark the invitation accepted if it is still usable; True for the one caller that did."""
    return bool(
        Invitation.objects.filter(
            pk=invitation.pk, accepted_at=None, revoked_at=None, expires_at__gt=now
        ).update(accepted_at=now)
    )


def accept(token: str, *, password: str, display_name: str, time_zone: str) -> Accepted:
    """Create the patient, put them on their care team and enrol them, all or nothing.
    The password was validated by the form (Django's validators). Raises InvitationUnusable."""
    invitation = find(token)
    if invitation is None:
        raise InvitationUnusable("unknown")
    now = timezone.now()
    try:
        with transaction.atomic():
            if not _claim(invitation, now):
                invitation.refresh_from_db()
                raise InvitationUnusable(invitation.status_at(now))
            if existing_account(invitation.email) is not None:
                raise InvitationUnusable("account_exists")
            user = User.objects.create_user(
                invitation.email, password, role=User.Role.PATIENT, clinic=invitation.clinic
            )
            PatientProfile.objects.update_or_create(
                user=user, defaults={"display_name": display_name.strip(), "time_zone": time_zone}
            )
            # Opening the emailed link proves the address.
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            result = Accepted(user=user, invitation=invitation)
            _join_care(result)
            Invitation.objects.filter(pk=invitation.pk).update(
                accepted_user=user, outcome_note="\n".join(result.notes)
            )
    except IntegrityError as exc:  # the other accept of a race created the account first
        raise InvitationUnusable("accepted") from exc
    invitation.refresh_from_db()
    return result


def _join_care(result: Accepted) -> None:
    invitation, user = result.invitation, result.user
    user = User.objects.select_related("patient_profile").get(pk=user.pk)
    result.user = user
    primary = invitation.invited_by
    if primary is None or not primary.is_clinician or primary.clinic_id != user.clinic_id:
        primary = None
    if primary is not None:
        care_teams.set_primary(user, primary, by=primary)
    for clinician in invitation.care_team.all():
        if care_teams.member_problem(user, clinician) is None:
            care_teams.add_member(user, clinician, by=invitation.invited_by)
    if invitation.program is None:
        return
    if primary is None:
        primary = care_teams.primary_of(user) or next(
            (m.clinician for m in care_teams.team_of(user)), None
        )
    if primary is None:
        result.notes.append(_("Not enrolled: nobody on the care team can be responsible."))
        return
    try:
        result.enrolment = enrolments.enrol(
            user, primary, user.local_today(), program=invitation.program
        )
    except ValidationError as exc:
        result.notes.append(_("Not enrolled: %(reasons)s") % {"reasons": " ".join(exc.messages)})
        return
    if invitation.cohort is not None:
        try:
            with transaction.atomic():
                cohort_rules.join_cohort(invitation.cohort, result.enrolment, primary)
        except ValidationError as exc:
            # The patient is still created and enrolled; the inviting clinician reads why
            # they are not in the group on the invitations page.
            result.notes.append(
                _("Not added to “%(cohort)s”: %(reasons)s") % {
                    "cohort": invitation.cohort.name, "reasons": " ".join(exc.messages)}
            )

