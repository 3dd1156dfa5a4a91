"""allauth hooks: who may sign up, what a new account is, and mail sent by the worker."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(settings.ACCOUNT_ALLOW_REGISTRATION)

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        # Anyone signing up is a patient of the default clinic; staff accounts are made
        # by an admin, who also moves patients to their clinic.
        from recovery.models import Clinic, User

        user.role = User.Role.PATIENT
        user.clinic = Clinic.default()
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Rendered here (the request has the site and links); delivered by the worker so a
        # slow mail server never holds up a sign-in page.
        from recovery.tasks import send_email

        msg = self.render_mail(template_prefix, email, context)
        html = None
        for content, mimetype in getattr(msg, "alternatives", []):
            if mimetype == "text/html":
                html = content
        send_email.delay_on_commit(  # type: ignore[attr-defined]
            msg.subject, msg.body, msg.from_email, list(msg.to), html
        )
