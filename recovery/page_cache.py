"""Rendered pages kept in the cache while the data they show is unchanged (issue 12).

A page a person opens again and again (Today, History, the journal, the caseload) is mostly
the same HTML each time. `serve()` keeps its rendering under a key made of:

- who reads it: the user's id and `data_stamp` (recovery.freshness: new on every write to
  their records), and every field of their row, profile and clinic (time zone, name, crisis
  text: what base.html and the pages show of them);
- how they read it: the language, the path with its query string, htmx's request headers;
- what the view adds: the local date, other people's stamps (the caseload), ...

A write changes the stamp, so the next request renders afresh; nothing invalidates anything.
Time alone (a meeting starting, a day ending) is bounded by `ttl` and by the view's parts.

What is per request is never kept: the CSRF token is rendered as a mark and each response
gets the request's own; pages with queued messages ("Check-in saved") render uncached. The
HTML is health data: it is encrypted with the field keys (recovery.crypto) before it reaches
Redis, like the columns it came from.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation

from . import crypto

# Rendered in place of the CSRF token ({% csrf_token %}, hx-headers) and replaced per response.
CSRF_MARK = "csrf-mark-8f1c2a6e0b7d4e93"
DEFAULT_TTL = 120
_PREFIX = "page:v1:"


@dataclass
class Page:
    """What a view renders: its template and context, plus `meta` (JSON) the view needs on
    every request, cached or not (the patient ids it audits, for instance)."""

    template: str
    context: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)
    ttl: int = DEFAULT_TTL


def _row(obj: Any) -> list[Any]:
    # Concrete columns only: many-to-many fields (the user's groups) would each cost a query.
    if obj is None:
        return []
    return [getattr(obj, f.attname) for f in obj._meta.concrete_fields]


def reader_parts(request: HttpRequest) -> list[Any]:
    """What of the reader a page may show: their rows as loaded (recovery.backends)."""
    user: Any = request.user
    return [
        user.pk,
        user.data_stamp,
        _row(user),
        _row(getattr(user, "patient_profile", None) if user.is_patient else None),
        _row(getattr(user, "clinician_profile", None) if not user.is_patient else None),
        _row(user.clinic),
    ]


def key_for(request: HttpRequest, parts: Sequence[Any]) -> str:
    hx = getattr(request, "htmx", None)
    material = [
        reader_parts(request),
        translation.get_language(),
        request.get_full_path(),
        [bool(hx), getattr(hx, "target", None), getattr(hx, "boosted", False)] if hx else [],
        list(parts),
    ]
    digest = hashlib.sha256(json.dumps(material, default=str).encode()).hexdigest()
    return _PREFIX + digest


def _respond(request: HttpRequest, html: str) -> HttpResponse:
    return HttpResponse(html.replace(CSRF_MARK, get_token(request)))


def serve(
    request: HttpRequest, parts: Sequence[Any], build: Callable[[], Page]
) -> tuple[HttpResponse, dict[str, Any]]:
    """The page for this request: the cached rendering when its key matches, else `build()`
    rendered (and kept for `Page.ttl` seconds). Returns the response and the page's meta."""
    if len(get_messages(request)):  # type: ignore[arg-type]
        page = build()
        return HttpResponse(render_to_string(page.template, page.context, request)), page.meta
    key = key_for(request, parts)
    kept = cache.get(key)
    if kept is not None:
        try:
            stored = json.loads(crypto.decrypt_str(kept))
            return _respond(request, stored["html"]), stored["meta"]
        except (crypto.DecryptionError, ValueError, KeyError):
            pass  # a rotated key or an old format: render afresh
    page = build()
    html = render_to_string(page.template, {**page.context, "csrf_token": CSRF_MARK}, request)
    payload = json.dumps({"html": html, "meta": page.meta})
    cache.set(key, crypto.encrypt_str(payload), page.ttl)
    return _respond(request, html), page.meta
