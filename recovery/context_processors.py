from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest

from . import deletion


def site(request: HttpRequest) -> dict[str, str]:
    return {"SITE_NAME": settings.SITE_NAME}


def account_deletion(request: HttpRequest) -> dict[str, dt.date | None]:
    """The local date a signed-in patient's pending account deletion happens (None if none):
    base.html shows the banner with its one "Cancel deletion" button on every page."""
    return {"account_deletion_due": deletion.pending_for(getattr(request, "user", None))}
