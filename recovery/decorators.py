"""Role gates for views. Who may see which patient is clinicians.access (recovery.access for the clinic boundary)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse

from .http import AuthedHttpRequest

View = Callable[..., HttpResponse]


def role_required(*roles: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: AuthedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.role not in roles:
                raise Http404("Not found")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


patient_required = role_required("patient")
clinician_required = role_required("clinician", "admin")
