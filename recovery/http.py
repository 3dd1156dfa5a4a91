"""One request type for views behind a sign-in gate.

django-stubs types `request.user` as `User | AnonymousUser`; every view in this project runs
behind `login_required` or a role decorator, so annotating it `AuthedHttpRequest` tells mypy
the truth without a cast per view (django-stubs' documented pattern for custom user models).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from .models import User


class AuthedHttpRequest(HttpRequest):
    user: User
    htmx: HtmxDetails
