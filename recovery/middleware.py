"""Request ids for the logs and the audit trail; staff must set up a second factor before they
see anything else."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

# Paths a clinician or admin without TOTP may still reach: the MFA set-up itself,
# signing out, re-authentication that set-up may ask for, and infrastructure.
ALLOWED_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/healthz",
    settings.STATIC_URL,
    "/favicon.ico",
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
                "Because your account can read patients' health data, it needs two-factor "
                "authentication. Set up an authenticator app to continue.",
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
