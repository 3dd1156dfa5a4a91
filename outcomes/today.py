"""Outcomes' card on the patient's Today (registered with recovery.panels)."""

from __future__ import annotations

import datetime as dt

from recovery.models import User
from recovery.panels import Loaded, Panel

from .schedule import due_for


def questionnaires_panel(patient: User, local_date: dt.date, loaded: Loaded | None = None) -> Panel:
    """The "Questionnaires due" card: always shown, so a patient knows where they will appear.
    What is due comes from the programme's questionnaire schedule (outcomes.schedule); the
    programmes Today loaded (pauses, weeks) are not read again."""
    enrolments = loaded.enrolments if loaded is not None else ()
    return Panel(
        "questionnaires", "outcomes/today_panel.html", {"due": due_for(patient, local_date, enrolments)}
    )
