"""A reminder's words: the in-app message and the email (plain text and HTML), with the
one-click unsubscribe of RFC 8058. No clinical detail ever goes in: no scores, no diagnosis;
the message says something is waiting and links to the site, behind sign-in."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ..l10n import iso_day_as_text
from ..plaintext import render_plain
from . import tokens
from .models import ReminderLedger
from .registry import ReminderKind


@dataclass(frozen=True)
class Message:
    title: str
    text: str
    url: str  # a path on the site


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def language_of(user: object) -> str:
    """The language a person's messages are written in: their choice, else the site's (a
    worker has no browser to ask)."""
    return str(getattr(user, "language", "") or settings.LANGUAGE_CODE)


def render(row: ReminderLedger, kind: ReminderKind) -> Message:
    with translation.override(language_of(row.recipient)):
        # A kind stores a day as "2026-12-01": written out here, in the reader's words.
        dated = {key: iso_day_as_text(value) for key, value in row.context.items()}
        context = {**dated, "recipient": row.recipient, "SITE_NAME": settings.SITE_NAME}
        text = render_plain(f"notifications/kinds/{kind.name}.txt", context).strip()
        title = str(kind.title)  # a lazy label becomes the recipient's words here
    # A kind may point one reminder somewhere more precise (a patient's page) in its context.
    return Message(title=title, text=text, url=str(row.context.get("url") or kind.url))


def build(row: ReminderLedger, kind: ReminderKind, message: Message) -> EmailMultiAlternatives:
    unsubscribe = absolute(
        reverse("notifications:unsubscribe", args=[tokens.make(row.recipient_id, kind.name)])
    )
    context = {
        "message": message,
        "link": absolute(message.url),
        "unsubscribe": unsubscribe,
        "account": absolute(reverse("account_home")),
        "kind": kind,
        "SITE_NAME": settings.SITE_NAME,
    }
    with translation.override(language_of(row.recipient)):
        return _email(row, message, context, unsubscribe)


def _email(
    row: ReminderLedger, message: Message, context: dict[str, object], unsubscribe: str
) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.title,
        body=render_to_string("notifications/email/reminder.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # Lets a mail server that saw this message once recognise a redelivered copy.
            "X-Reminder-Id": str(row.pk),
        },
    )
    email.attach_alternative(render_to_string("notifications/email/reminder.html", context),
                             "text/html")
    return email
