"""Journaling's answer when the core purges a deleted account (recovery.deletion owns the
lifecycle): everything the patient wrote or logged here goes for good."""

from __future__ import annotations

import datetime as dt
from typing import Any

from recovery.models import User

from .models import CheckIn, ExerciseCompletion, JournalEntry, StressorItem


def purge_patient_data(sender: object, patient: User, now: dt.datetime, **kwargs: Any) -> dict[str, int]:
    """Receiver of recovery.signals.purge_patient_data (connected in JournalingConfig.ready)."""
    return {
        "journal_entries": JournalEntry.objects.filter(patient=patient).delete()[0],
        "check_ins": CheckIn.objects.filter(patient=patient).delete()[0],
        "exercise_completions": ExerciseCompletion.objects.filter(patient=patient).delete()[0],
        "stressor_items": StressorItem.objects.filter(patient=patient).delete()[0],
    }
