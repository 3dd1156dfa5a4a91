"""A patient deleting their account: request, cancel, and the purge after a grace period.

During the 14-day grace period the account stays active: the patient is signed out when
they ask, and if they sign in again every page says when the account will be deleted, with
a "Cancel deletion" button (the `account_deletion` context processor). (Deactivating at once
would lock them out of the very page that cancels, since sign-in refuses inactive accounts;
cancelling would then need a separate emailed-token flow.)

The purge belongs to the core, the data to the apps: `purge_account` sends
`recovery.signals.purge_patient_data`, and each app's receiver deletes what the patient wrote
or logged there (journaling: entries, check-ins, completions, stressors) or closes what the
clinic keeps (programs: open enrolments are withdrawn through the engine). The core then
clears what it holds itself: name and reminder settings, the email address (replaced by a
placeholder), password, verified addresses and authenticators; the account is deactivated.

What the clinic keeps, because clinicians must keep a record of the care they gave: the
(now anonymised) account row the records point to, enrolments (which programme, when, who
was responsible), screening decisions, cohort memberships and group attendance, visit notes,
and the audit trail, to which the purge itself is added.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import transaction

from .l10n import weekday_long_date
from .models import AuditEvent, PatientProfile, User
from .signals import purge_patient_data

GRACE_PERIOD = dt.timedelta(days=14)
DELETED_EMAIL_DOMAIN = "deleted.invalid"  # .invalid can never be a real address (RFC 2606)


def deletion_due(profile: PatientProfile) -> dt.datetime | None:
    """When the account's data will be deleted, or None if no deletion is pending."""
    if profile.deletion_requested_at is None or is_purged(profile.user):
        return None
    return profile.deletion_requested_at + GRACE_PERIOD


def local_due_date(profile: PatientProfile) -> dt.date | None:
    """The patient's local date on which their data will be deleted, if deletion is pending."""
    due = deletion_due(profile)
    return due.astimezone(zoneinfo.ZoneInfo(profile.time_zone)).date() if due else None


def pending_for(user: object) -> dt.date | None:
    """For any user (signed in or not): the local date their pending deletion happens, if any."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_patient", False):
        return None
    profile = getattr(user, "patient_profile", None)
    return local_due_date(profile) if profile is not None else None


def long_date(day: dt.date) -> str:
    return weekday_long_date(day)


def is_purged(user: User) -> bool:
    return user.email.endswith("@" + DELETED_EMAIL_DOMAIN)


def request_deletion(user: User, now: dt.datetime) -> dt.datetime:
    """Start the grace period (again asking keeps the first date). Returns when it ends."""
    profile = user.patient_profile
    if profile.deletion_requested_at is None:
        profile.deletion_requested_at = now
        profile.save(update_fields=["deletion_requested_at"])
    return profile.deletion_requested_at + GRACE_PERIOD


def cancel_deletion(user: User) -> bool:
    """Stop a pending deletion. Returns whether one was pending."""
    profile = user.patient_profile
    if profile.deletion_requested_at is None or is_purged(user):
        return False
    profile.deletion_requested_at = None
    profile.save(update_fields=["deletion_requested_at"])
    return True


def purge_account(user: User, now: dt.datetime) -> dict[str, int]:
    """Delete one patient's own data (each app's receiver) and anonymise the account.
    Safe to run twice. Returns the counts each app reported, as written to the audit trail."""
    with transaction.atomic():
        counts: dict[str, int] = {}
        for receiver, answer in purge_patient_data.send(sender=User, patient=user, now=now):
            if not isinstance(answer, dict):
                raise TypeError(f"{receiver!r} must return a dict of counts, not {answer!r}")
            counts.update(answer)
        PatientProfile.objects.filter(user=user).update(
            display_name="", reminder_time=None, include_shared_entries_in_reports=False
        )
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        user.email = f"deleted-{user.pk}@{DELETED_EMAIL_DOMAIN}"
        user.is_active = False
        # A new password hash also ends every session still open on another device.
        user.set_unusable_password()
        user.save(update_fields=["email", "is_active", "password"])
        AuditEvent.objects.create(
            at=now, actor=None, patient=user, action="patient_data_deleted", detail=counts
        )
    return counts


def purge_due_accounts(now: dt.datetime) -> int:
    """Purge every account whose grace period has ended. Returns how many were purged."""
    due = User.objects.filter(
        role=User.Role.PATIENT,
        patient_profile__deletion_requested_at__lte=now - GRACE_PERIOD,
    ).exclude(email__endswith="@" + DELETED_EMAIL_DOMAIN)
    purged = 0
    for user in due.select_related("patient_profile"):
        purge_account(user, now)
        purged += 1
    return purged
