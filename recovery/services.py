"""Plain functions behind the foundation's tasks and views."""

from __future__ import annotations

import datetime as dt
import socket

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from .models import WorkerHeartbeat


def record_heartbeat(name: str = "worker") -> dt.datetime:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"last_seen": now, "hostname": socket.gethostname()}
    )
    return now


def deliver_email(
    subject: str, body: str, from_email: str, to: list[str], html: str | None = None
) -> None:
    msg = EmailMultiAlternatives(subject, body, from_email, to)
    if html:
        msg.attach_alternative(html, "text/html")
    msg.send()
