"""Request ids for the logs and the audit trail; staff must set up a second factor before they
see anything else; security headers; session lifetimes; a 503 page while the database is away."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger("recovery.middleware")

# Paths a clinician or admin without TOTP may still reach: the MFA set-up itself,
# signing out, re-authentication that set-up may ask for, and infrastructure.
ALLOWED_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/healthz",
    settings.STATIC_URL,
    "/favicon.ico",
    "/crisis/",
    "/notifications/unsubscribe/",  # one-click unsubscribe works from any mail client
)


class RequireStaffMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user.needs_mfa
            and not request.path.startswith(ALLOWED_PREFIXES)
            and not Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).exists()
        ):
            messages.warning(
                request,
                _("Because your account can read patients' health data, it needs two-factor "
                "authentication. Set up an authenticator app to continue."),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


# A proxy's or client's id is kept when it looks like one (letters, digits and . _ : -, at most
# 64 characters: what AuditEvent.request_id holds); anything else could forge log lines or
# overflow the column, so it is replaced.
REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


def request_id_from(value: str | None) -> str:
    """The incoming id if it is sane, else a new uuid4."""
    if value and SANE_REQUEST_ID.fullmatch(value):
        return value
    return str(uuid.uuid4())


class RequestIDMiddleware:
    """Gives every request an id (`request.request_id`), sent back as X-Request-ID and written
    on the audit events the request appends."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


# --- Response headers (issue 11, item 5) ----------------------------------------------------
# Browser features this site never uses: a page (or an injected script) cannot ask for them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture",
        "geolocation", "gyroscope", "hid", "magnetometer", "microphone", "midi", "payment",
        "publickey-credentials-get", "serial", "usb", "xr-spatial-tracking",
    )
)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response, and `Cache-Control: no-store` on every response
    to a signed-in person: any of them may carry patient data, and a shared computer's
    browser cache or a proxy must keep none of it. One middleware rather than a decorator on
    each view, so a new view cannot forget it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Read before the view: signing out ends the session but its page was still personal.
        was_signed_in = _is_authenticated(request)
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if was_signed_in or _is_authenticated(request):
            cache_control = response.headers.get("Cache-Control", "")
            if "no-store" not in cache_control:
                response.headers["Cache-Control"] = "no-store, private"
        return response


def _is_authenticated(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


# --- Session lifetime (issue 11, item 4) -----------------------------------------------------
SESSION_STARTED_KEY = "recovery_session_started"
SESSION_ACTIVITY_KEY = "recovery_last_activity"
# Pings that keep a session alive only when the person asked to ("Stay signed in"): polling
# alone must not hold a forgotten session open forever.
ACTIVITY_RESOLUTION = 60  # seconds
PASSIVE_PATHS = ("/healthz", settings.STATIC_URL, "/favicon.ico")


def idle_timeout_for(user: Any) -> int:
    """Seconds of inactivity after which this person is signed out: shorter for staff, who
    read many patients' data, often on shared workstations."""
    if getattr(user, "needs_mfa", False):
        return int(settings.SESSION_IDLE_TIMEOUT_STAFF)
    return int(settings.SESSION_IDLE_TIMEOUT_PATIENT)


class SessionTimeoutMiddleware:
    """Ends a session after `idle_timeout_for(user)` seconds without a request, and after
    SESSION_ABSOLUTE_LIFETIME seconds in any case. Stores both clocks in the session, and
    exposes `request.session_expires_in` for the warning banner (static/js/session-warning.js)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_authenticated(request) and not request.path.startswith(PASSIVE_PATHS):
            now = time.time()
            session = request.session
            started = float(session.get(SESSION_STARTED_KEY) or now)
            last = float(session.get(SESSION_ACTIVITY_KEY) or now)
            idle = idle_timeout_for(request.user)
            if now - last > idle or now - started > settings.SESSION_ABSOLUTE_LIFETIME:
                logout(request)
                messages.info(request, _("You were signed out after a period without activity. "
                                       "Anything your journal kept on this device is still there."))
                if request.headers.get("HX-Request") or request.path.startswith("/session/"):
                    return HttpResponse(status=401)
                return redirect_to_login(request.get_full_path())
            # Write the clock at most once a minute: a session save per request is a query.
            # (A session from before this middleware gets its clocks on its first request.)
            if now - last >= ACTIVITY_RESOLUTION or SESSION_ACTIVITY_KEY not in session:
                session[SESSION_ACTIVITY_KEY] = now
                session.setdefault(SESSION_STARTED_KEY, now)
            request.session_idle_seconds = idle  # type: ignore[attr-defined]
            request.session_warning_seconds = min(  # type: ignore[attr-defined]
                settings.SESSION_WARNING_SECONDS, idle // 2
            )
        return self.get_response(request)


def start_session_clocks(sender: object, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """At sign-in (user_logged_in): both clocks start, so the first request writes nothing."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_STARTED_KEY] = now
        request.session[SESSION_ACTIVITY_KEY] = now


user_logged_in.connect(start_session_clocks, dispatch_uid="recovery.session_clocks")


# --- Database unavailable (issue 13, item 3) -------------------------------------------------
# While PostgreSQL restarts (a failover, an upgrade, `pg_ctl restart`) queries fail with
# OperationalError / InterfaceError. Django turns those into its 500 page and logs a traceback;
# to the person it reads as a bug and invites a double submission. What it is, is "come back in
# a few seconds": answer 503 with Retry-After and a page that says so. Recovery needs no
# restart: CONN_HEALTH_CHECKS drops the dead connection at the next request.
DB_UNAVAILABLE_ATTR = "_recovery_db_unavailable"
DB_RETRY_AFTER_SECONDS = 5


def _note_database_error(sender: object, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """got_request_exception fires inside Django's handler, where sys.exc_info() is the error
    an inner middleware or view raised: remember whether it was the database being away."""
    exc = sys.exc_info()[1]
    if request is not None and isinstance(exc, (OperationalError, InterfaceError)):
        setattr(request, DB_UNAVAILABLE_ATTR, True)


got_request_exception.connect(_note_database_error, dispatch_uid="recovery.db_unavailable")


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 page. Rendered without the request's context processors (they read the session
    and the user: the database), so it cannot fail the way the page it replaces did."""
    body = render_to_string("errors/503.html")
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(DB_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a request that failed because the database could not be reached into the 503
    "try again in a moment" page. Sits just inside the CSP middleware, so its page carries
    the same headers; catches both the error Django already answered with a 500 (noted by
    `_note_database_error`) and one raised again while rendering that 500 page. With DEBUG on,
    the developer's traceback page is kept."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except (OperationalError, InterfaceError):
            if settings.DEBUG:
                raise
            logger.warning("Database unavailable for %s %s: answered 503", request.method,
                           request.path)
            return database_unavailable_response(request)
        if response.status_code == 500 and getattr(request, DB_UNAVAILABLE_ATTR, False) and (
            not settings.DEBUG
        ):
            logger.warning("Database unavailable for %s %s: answered 503", request.method,
                           request.path)
            return database_unavailable_response(request)
        return response


# --- Language (issue 14, item 3) -------------------------------------------------------------
class UserLanguageMiddleware:
    """A signed-in user's chosen language (User.language) beats the browser's Accept-Language,
    which Django's LocaleMiddleware (earlier in the chain, before the user is known) used; a
    blank choice leaves that decision as it is. Before sign-in, LocaleMiddleware alone decides
    (the footer's switcher sets its cookie)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = getattr(request.user, "language", "") if _is_authenticated(request) else ""
        if language and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        return self.get_response(request)


def visitor_language(request: HttpRequest | None) -> str:
    """The language this request is served in (the switcher's cookie, else Accept-Language),
    as a code the site offers, or "". A new account keeps it (sign-up, an accepted
    invitation), so their first reminder emails are in the language they were reading."""
    if request is None:
        return ""
    code = str(getattr(request, "LANGUAGE_CODE", "") or translation.get_language() or "")
    code = code.split("-")[0]
    return code if code in dict(settings.LANGUAGES) else ""


def keep_switcher_choice(sender: object, request: HttpRequest | None = None, user: Any = None,
                         **kwargs: Any) -> None:
    """At sign-in (user_logged_in): a person with no language of their own who picked one with
    the footer's switcher keeps it, so pages and emails go on in it."""
    if request is None or not hasattr(user, "language") or user.language:
        return  # no request, or their own choice already stands
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in dict(settings.LANGUAGES):
        user.language = chosen
        user.save(update_fields=["language"])


user_logged_in.connect(keep_switcher_choice, dispatch_uid="recovery.keep_switcher_choice")
