"""An email backend for the fault test: each send is appended (and fsynced) to a file the
test reads, then the backend dawdles, so a SIGKILL lands after the "SMTP server" accepted the
message and before the task could mark its row sent: the worst moment, on purpose."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class RecordingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        path = os.environ["REMINDER_TEST_MAIL_LOG"]
        for message in email_messages:
            with open(path, "a", encoding="utf-8") as log:
                log.write(f"{message.extra_headers.get('X-Reminder-Id')} {message.to[0]}\n")
                log.flush()
                os.fsync(log.fileno())
            time.sleep(float(os.environ.get("REMINDER_TEST_MAIL_SLEEP", "0")))
        return len(email_messages)
