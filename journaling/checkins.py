"""The daily check-in: how a patient's one check-in of a local day is saved (Today's form,
the offline replay) and what the card shows when it is all a write returns."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recovery import freshness
from recovery.models import User

from .models import CheckIn

SCORE_NAMES = {"pain": gettext_lazy("Pain"), "stress": gettext_lazy("Stress"), "mood": gettext_lazy("Mood")}


class CheckInCard(NamedTuple):
    """What the check-in card shows (journaling/today/_checkin.html) when it is all a write
    returns: the day and its check-in."""

    local_date: dt.date
    checkin: CheckIn | None


def _score_errors(scores: dict[str, Any]) -> dict[str, str]:
    errors = {}
    for name, value in scores.items():
        if value is None:
            continue  # not chosen: saved as unset, never as a made-up middle value
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            errors[name] = _("%(name)s must be a whole number from 0 to 10.") % {"name": SCORE_NAMES[name]}
    if not errors and all(value is None for value in scores.values()):
        errors[NON_FIELD_ERRORS] = _("Choose at least one of pain, stress or mood.")
    return errors


def save_checkin(
    patient: User,
    local_date: dt.date,
    pain: int | None,
    stress: int | None,
    mood: int | None,
    note: str = "",
) -> CheckIn:
    """Create or update the patient's one check-in of `local_date`, exactly as given: a score
    of None is one the patient did not choose, and is stored unset.

    Raises ValidationError (keyed by field) for a score outside 0-10, or when no score at all
    is given; nothing is saved then.
    """
    checkin, _created = record_checkin(patient, local_date, pain, stress, mood, note)
    if checkin.pk is None:  # changed in place: read the row back for its id and times
        checkin = CheckIn.objects.get(patient=patient, local_date=local_date)
    return checkin


def record_checkin(
    patient: User,
    local_date: dt.date,
    pain: int | None,
    stress: int | None,
    mood: int | None,
    note: str = "",
) -> tuple[CheckIn, bool]:
    """save_checkin for the check-in form, which needs only what was saved: the day's
    check-in (as saved, not read back: without its id when it was changed) and whether this
    save created it.

    Most saves change the day's check-in (people adjust it through the day): one UPDATE,
    and the data stamp's (recovery.freshness), in one commit; nothing is read. When no row
    was there, the first of the day is INSERTed; on a concurrent first save the unique
    constraint stops the second INSERT, which then updates the winner's row.
    """
    errors = _score_errors({"pain": pain, "stress": stress, "mood": mood})
    if errors:
        raise ValidationError(errors)
    values = {"pain": pain, "stress": stress, "mood": mood, "note": (note or "").strip()}
    day = CheckIn.objects.filter(patient=patient, local_date=local_date)
    with transaction.atomic():
        now = timezone.now()
        if not day.update(**values, updated_at=now):
            try:
                with transaction.atomic():
                    return CheckIn.objects.create(
                        patient=patient, local_date=local_date, **values
                    ), True
            except IntegrityError:
                day.update(**values, updated_at=now)
        freshness.touch(patient.pk)  # update() sends no signal
    return CheckIn(patient=patient, local_date=local_date, updated_at=now, **values), False
