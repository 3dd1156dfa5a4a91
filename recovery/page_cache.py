"""Rendered pages kept in the cache while the data they show is unchanged (issue 12).

A page a person opens again and again (Today, History, the journal, the caseload) is mostly
the same HTML each time. `serve()` keeps its rendering under a key made of:

- who reads it: the user's id and `data_stamp` (recovery.freshness: new on every write to
  their records), and every field of their row, profile and clinic (time zone, name, crisis
  text: what base.html and the pages show of them);
- how they read it: the language, the path with its query string, htmx's request headers;
- what the view adds: the local date, other people's stamps (the caseload), ...

A write changes the stamp, so the next request renders afresh; nothing invalidates anything.
Time alone (a meeting starting, a day ending) is bounded by the view's parts (the local date)
and by the time a rendering is kept (settings.PAGE_CACHE_SECONDS, or less: `Page.ttl`).
Templates and static files of another release are never served from an older rendering:
the key holds a digest of the templates and of the static files' manifest.

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
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation

from . import crypto, freshness

# Rendered in place of the CSRF token ({% csrf_token %}, hx-headers) and replaced per response.
CSRF_MARK = "csrf-mark-8f1c2a6e0b7d4e93"
_PREFIX = "page:v1:"


@dataclass
class Page:
    """What a view renders: its template and context, plus `meta` (JSON) the view needs on
    every request, cached or not (the patient ids it audits, for instance)."""

    template: str
    context: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)
    ttl: int | None = None  # at most settings.PAGE_CACHE_SECONDS


def max_age() -> int:
    """settings.PAGE_CACHE_SECONDS: how long a rendering may be served; 0 turns caching off."""
    return int(settings.PAGE_CACHE_SECONDS)


def _row(obj: Any) -> list[Any]:
    # Concrete columns only: many-to-many fields (the user's groups) would each cost a query.
    if obj is None:
        return []
    # The data stamp is not one of them: the key holds it on its own.
    return [getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name != "data_stamp"]


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


@lru_cache(maxsize=1)
def release() -> str:
    """This deployment's templates and static files, as a digest: a rendering made by another
    release (other markup, other hashed asset names) is never served. Read once per process."""
    digest = hashlib.sha256()
    template_settings: dict[str, Any] = settings.TEMPLATES[0]
    for folder in template_settings["DIRS"]:
        for path in sorted(Path(folder).rglob("*.html")):
            stat = path.stat()
            digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:16]


def rendering_key(prefix: str, material: Sequence[Any]) -> str:
    """The cache key of a rendering made from `material`, under this release: whatever keeps
    rendered markup (pages here, the caseload's rows) keys it this way, so a deploy with other
    templates never serves the old markup."""
    digest = hashlib.sha256(json.dumps([release(), *material], default=str).encode())
    return prefix + digest.hexdigest()


def key_for(request: HttpRequest, parts: Sequence[Any]) -> str:
    hx = getattr(request, "htmx", None)
    return rendering_key(_PREFIX, [
        reader_parts(request),
        translation.get_language(),
        request.get_full_path(),
        [bool(hx), getattr(hx, "target", None), getattr(hx, "boosted", False)] if hx else [],
        list(parts),
    ])


def _respond(request: HttpRequest, html: str) -> HttpResponse:
    return HttpResponse(html.replace(CSRF_MARK, get_token(request)))


def serve(
    request: HttpRequest,
    parts: Sequence[Any],
    build: Callable[[], Page],
) -> tuple[HttpResponse, dict[str, Any]]:
    """The page for this request: the cached rendering when its key matches, else `build()`
    rendered (and kept for `Page.ttl` seconds). Returns the response and the page's meta."""
    if max_age() <= 0 or len(get_messages(request)):  # type: ignore[arg-type]
        page = build()
        return HttpResponse(render_to_string(page.template, page.context, request)), page.meta
    key = key_for(request, parts)
    # One round trip: the rendering and everyone's stamp (recovery.freshness.touch_everyone),
    # which the rendering must have been made under.
    found = cache.get_many([key, freshness.EVERYONE_KEY])
    everyone = found.get(freshness.EVERYONE_KEY)
    kept = found.get(key)
    if kept is not None:
        try:
            stored = json.loads(crypto.decrypt_str(kept))
            if stored["everyone"] == everyone:
                return _respond(request, stored["html"]), stored["meta"]
        except (crypto.DecryptionError, ValueError, KeyError):
            pass  # a rotated key or an old format: render afresh
    page = build()
    html = render_to_string(page.template, {**page.context, "csrf_token": CSRF_MARK}, request)
    payload = json.dumps({"html": html, "meta": page.meta, "everyone": everyone})
    cache.set(key, crypto.encrypt_str(payload), _ttl(page))
    return _respond(request, html), page.meta


def _ttl(page: Page) -> int:
    return max(1, max_age() if page.ttl is None else min(page.ttl, max_age()))
