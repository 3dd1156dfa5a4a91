"""Safety alerts after they open: a clinician acknowledges one with a note (the one rule for it,
used by the clinician's review page)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from recovery.models import User

from .models import SafetyAlert

NOTE_MAX = 4000


def acknowledge(alert: SafetyAlert, by: User, note: str) -> SafetyAlert:
    """Close `alert` with `by`'s note of what was done. A note is required (what happened is
    the record); acknowledging twice keeps the first acknowledgement (a double click)."""
    note = (note or "").replace("\x00", "").strip()
    if not note:
        raise ValidationError(_("Write what you did (for example: called the patient, safe plan agreed)."))
    if len(note) > NOTE_MAX:
        raise ValidationError(_("Keep the note under %(limit)s characters.") % {"limit": NOTE_MAX})
    with transaction.atomic():
        locked = SafetyAlert.objects.select_for_update().get(pk=alert.pk)
        if locked.acknowledged_at is None:
            locked.acknowledged_at = timezone.now()
            locked.acknowledged_by = by
            locked.acknowledgement_note = note
            locked.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement_note"])
    return locked
