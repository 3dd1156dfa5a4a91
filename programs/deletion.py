"""Programs' answer when the core purges a deleted account (recovery.deletion owns the
lifecycle): the clinic keeps the enrolments as a record of care, but every open one is
withdrawn through the engine, so its open pause is closed and nothing is due any more."""

from __future__ import annotations

import datetime as dt
from typing import Any

from recovery.models import User

from .enrolments import withdraw
from .models import Enrolment


def purge_patient_data(sender: object, patient: User, now: dt.datetime, **kwargs: Any) -> dict[str, int]:
    """Receiver of recovery.signals.purge_patient_data (connected in ProgramsConfig.ready)."""
    on_date = patient.local_today(now)
    withdrawn = 0
    for enrolment in Enrolment.objects.open().filter(patient=patient):
        withdraw(enrolment, on_date)
        withdrawn += 1
    return {"enrolments_withdrawn": withdrawn}
