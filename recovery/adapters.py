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
from allauth.core.internal import ratelimit as allauth_ratelimit
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from recovery import crypto

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


# Failed sign-ins are counted per (client IP, account) by allauth's "login_failed" limits,
# so a stranger guessing at one account slows down only themselves, never the real person on
# their own device (issue 11, item 6). This looser account-wide window still stops a guesser
# spread over many addresses: one address can fail at most ~60 times an hour (5 per 5 min).
ACCOUNT_WIDE_FAILED = {"login_failed_account": "100/h/key"}


def retry_after_seconds(request: HttpRequest, action: str, key: str,
                        config: dict[str, str] | None = None) -> int:
    """Seconds until every exhausted window of `action` for `key` admits one more try."""
    wait = 0.0
    now = time.time()
    for rate in allauth_ratelimit.get_rates(app="allauth.account", action=action, config=config):
        cache_key = allauth_ratelimit.get_cache_key(
            request, app="allauth.account", action=action, rate=rate, key=key
        )
        history = [ts for ts in cache.get(cache_key, []) if ts > now - rate.duration]
        if len(history) >= rate.amount:
            # The window admits a try again once its oldest counted hit ages out.
            oldest_counted = sorted(history, reverse=True)[rate.amount - 1]
            wait = max(wait, oldest_counted + rate.duration - now)
    return max(1, int(wait + 0.999))


def too_many_attempts(seconds: int) -> ValidationError:
    minutes = (seconds + 59) // 60
    when = (
        ngettext("in %(n)d second", "in %(n)d seconds", seconds) % {"n": seconds}
        if seconds < 120
        else ngettext("in %(n)d minute", "in %(n)d minutes", minutes) % {"n": minutes}
    )
    return ValidationError(
        _("Too many failed login attempts. Try again %(when)s, or reset your password.")
        % {"when": when},
        code="too_many_login_attempts",
    )


class AccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth keys the per-account window by the email alone; adding the client IP (from
        # ALLAUTH_TRUSTED_PROXY_COUNT, so behind our proxy it is the real client's) makes it
        # per (IP, account).
        account_key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account_key}:{allauth_ratelimit.get_ip(request)}"

    def _account_wide_key(self, request: HttpRequest, **credentials: Any) -> str:
        return super()._get_login_attempts_cache_key(request, **credentials)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        key = self._get_login_attempts_cache_key(request, **credentials)
        account_key = self._account_wide_key(request, **credentials)
        usage = allauth_ratelimit.consume(
            request, app="allauth.account", action="login_failed", key=key
        )
        if not usage:
            raise too_many_attempts(retry_after_seconds(request, "login_failed", key))
        wide = allauth_ratelimit.consume(
            request, app="allauth.account", action="login_failed_account",
            config=ACCOUNT_WIDE_FAILED, key=account_key,
        )
        if not wide:
            usage.rollback()
            raise too_many_attempts(retry_after_seconds(
                request, "login_failed_account", account_key, ACCOUNT_WIDE_FAILED))
        # Rolled back together by allauth on a successful sign-in.
        usage.usage.extend(wide.usage)
        self._login_failed_rl_usage = usage

    def _delete_login_attempts_cached_email(self, request: HttpRequest, **credentials: Any) -> None:
        # After a successful password reset: forget this address's failures and the
        # account-wide window (the reset itself is rate limited and proves the mailbox).
        super()._delete_login_attempts_cached_email(request, **credentials)
        allauth_ratelimit.clear(
            request, app="allauth.account", action="login_failed_account",
            config=ACCOUNT_WIDE_FAILED, key=self._account_wide_key(request, **credentials),
        )

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


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored encrypted with the same keys as the
    patient texts (recovery.crypto, FIELD_ENCRYPTION_KEYS), so rotate_field_keys covers them."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt_str(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt_str(encrypted_text)
