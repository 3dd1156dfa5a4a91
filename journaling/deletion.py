"""A patient deleting their account: request, cancel, and the purge after a grace period.

During the 14-day grace period the account stays active: the patient is signed out when
they ask, and if they sign in again every page says when the account will be deleted, with
a "Cancel deletion" button. (Deactivating at once would lock them out of the very page that
cancels, since sign-in refuses inactive accounts; cancelling would then need a separate
emailed-token flow.)

What the purge deletes: everything the patient wrote or logged (journal entries, check-ins,
exercise completions, the stressor inventory), their name and reminder settings, their
email address (replaced by a placeholder), password, verified addresses and authenticators;
the account is deactivated and open enrolments are withdrawn.

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
from django.db.models import Q

from journaling.models import CheckIn, ExerciseCompletion, JournalEntry, StressorItem
from programs.models import Enrolment
from recovery.models import AuditEvent, PatientProfile, User

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


def long_date(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


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
    """Delete one patient's own data and anonymise the account. Safe to run twice."""
    with transaction.atomic():
        counts = {
            "journal_entries": JournalEntry.objects.filter(patient=user).delete()[0],
            "check_ins": CheckIn.objects.filter(patient=user).delete()[0],
            "exercise_completions": ExerciseCompletion.objects.filter(patient=user).delete()[0],
            "stressor_items": StressorItem.objects.filter(patient=user).delete()[0],
        }
        local_today = user.local_today(now)
        counts["enrolments_withdrawn"] = Enrolment.objects.filter(
            patient=user, status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.PAUSED]
        ).update(
            status=Enrolment.Status.WITHDRAWN, withdrawn_on=local_today, status_changed_on=local_today
        )
        PatientProfile.objects.filter(user=user).update(display_name="", reminder_time=None)
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
    ).exclude(Q(email__endswith="@" + DELETED_EMAIL_DOMAIN))
    purged = 0
    for user in due.select_related("patient_profile"):
        purge_account(user, now)
        purged += 1
    return purged
