"""Names people typed reach a reminder as typed (issue 11, found by the XSS corpus): the text
email and the bell show "O'Brien & <Co>", the HTML email escapes it once."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core import mail

from recovery.notifications.models import Notification
from tests.notifications.conftest import utc

NAME = "O'Brien & <Co>"


def test_a_reminder_keeps_the_name_as_typed(make_patient, run_dispatcher):
    patient = make_patient("UTC", dt.time(8, 0))
    patient.patient_profile.display_name = NAME
    patient.patient_profile.save()
    with time_machine.travel(utc(2025, 6, 3, 8, 0, 10), tick=False):
        run_dispatcher()
    [email] = mail.outbox
    assert f"Hello {NAME}," in email.body
    [(html, _mime)] = email.alternatives
    assert "Hello O&#x27;Brien &amp; &lt;Co&gt;," in html
    assert "&amp;#x27;" not in html and "&amp;lt;" not in html
    assert NAME in Notification.objects.get(recipient=patient).body
