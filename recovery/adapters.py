"""allauth hooks: who may sign up, what a new account is, and mail sent by the worker."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context as allauth_context
from django.conf import settings
from django.http import HttpRequest

# Where a signed-in user lands when something comes before their usual page (e.g. someone
# who signed up alone waits for their clinic): apps above recovery register a function from
# AppConfig.ready() answering a URL or None. The first answer wins.
LandingHook = Callable[[Any], "str | None"]
_landing_hooks: list[LandingHook] = []


def register_landing(hook: LandingHook) -> None:
    if hook not in _landing_hooks:
        _landing_hooks.append(hook)


def landing_for(user: Any) -> str | None:
    for hook in _landing_hooks:
        url = hook(user)
        if url:
            return url
    return None


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(settings.ACCOUNT_ALLOW_REGISTRATION)

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        # allauth asks for the password again before any MFA change, even right after
        # sign-in. Staff without a second factor are sent to set one up the moment they
        # sign in; asking for the password twice in a row there only confuses. Once they
        # have an authenticator, changing it (or recovery codes) still needs reauthentication.
        required = super().is_reauthentication_required(app=app, **kwargs)
        request = allauth_context.request
        if not required or app != "allauth.mfa" or request is None:
            return required
        from allauth.mfa.models import Authenticator

        user = request.user
        if not user.is_authenticated or Authenticator.objects.filter(user=user).exists():
            return True
        records = get_authentication_records(request, user)
        just_signed_in = bool(records) and (
            time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT
        )
        return not just_signed_in

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return landing_for(request.user) or super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return landing_for(request.user) or super().get_signup_redirect_url(request)

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        # Anyone signing up is a patient of the default clinic, but nobody's patient yet:
        # clinicians (on allauth's user_signed_up) put them on the clinic's waiting list
        # until a clinician accepts them. Staff accounts are made by an admin.
        from recovery.middleware import visitor_language
        from recovery.models import Clinic, User

        user.role = User.Role.PATIENT
        user.clinic = Clinic.default()
        user.language = visitor_language(request)  # their emails follow what they read
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Rendered here (the request has the site and links); delivered by the worker so a
        # slow mail server never holds up a sign-in page.
        from recovery.tasks import send_email

        # The context allauth's own send_mail builds; without it mails say "Hello from !".
        request = allauth_context.request
        domain = request.get_host() if request is not None else urlsplit(settings.SITE_URL).netloc
        ctx = {
            "request": request,
            "email": email,
            "current_site": SimpleNamespace(name=settings.SITE_NAME, domain=domain),
        }
        ctx.update(context)
        msg = self.render_mail(template_prefix, email, ctx)
        html = None
        for content, mimetype in getattr(msg, "alternatives", []):
            if mimetype == "text/html":
                html = content
        send_email.delay_on_commit(  # type: ignore[attr-defined]
            msg.subject, msg.body, msg.from_email, list(msg.to), html
        )
