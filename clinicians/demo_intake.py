"""The demo's intake part: an invitation pending for the demo clinician (issue 9, item 9).
Idempotent: a pending invitation to the address is kept as it is."""

from __future__ import annotations

from programs.models import Program
from recovery.demo import DemoPeople

from . import invitations

INVITED_EMAIL = "invited.patient@demo.test"


def seed(people: DemoPeople) -> None:
    if invitations.existing_account(INVITED_EMAIL) is not None:
        return
    program = (
        Program.objects.filter(versions__status="published").order_by("title").distinct().first()
    )
    # Not emailed: nobody reads the demo's mail, and the link is shown only once, when sent.
    # The clinician can press "Re-send" to see the flow (the console mail backend prints it).
    invitations.invite(people.clinician, INVITED_EMAIL, program=program, send=False)
