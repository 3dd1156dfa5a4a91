"""The installable patient app: the web app manifest and the service worker script.

The worker's source is a static file (static/sw.js, hand-written, no build step). It is served
from here rather than from /static/ because a worker only controls pages under the folder it
is served from: at /sw.js (with `Service-Worker-Allowed: /`) it can answer for /today/ and the
journal when the connection is gone. The feature pages tell it what to keep (see
static/js/offline-queue.js); the core knows nothing about Today or the journal.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

# From static/css/app.css: --accent (the header bar) and --bg (the page).
THEME_COLOR = "#0b5d56"
BACKGROUND_COLOR = "#f7f6f2"
WORKER_SOURCE = "sw.js"


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest. A view, not a static file: the name is translated and the icon
    URLs carry the static storage's hashed names in production."""
    icons = [
        {"src": static(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png",
         "purpose": "any"}
        for size in (192, 512)
    ] + [
        {"src": static(f"icons/maskable-{size}.png"), "sizes": f"{size}x{size}",
         "type": "image/png", "purpose": "maskable"}
        for size in (192, 512)
    ]
    data = {
        "name": settings.SITE_NAME,
        "short_name": _("Recovery"),
        "description": _("Your daily mind-body practice: exercises, check-in and journal."),
        "lang": getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
        "id": reverse("journaling:today"),
        "start_url": reverse("journaling:today"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": icons,
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """static/sw.js at the root scope. `no-cache`: the browser checks for a new worker on
    every visit (a signed-in person's responses are `no-store` anyway, see
    SecurityHeadersMiddleware)."""
    path = finders.find(WORKER_SOURCE)
    if not path or isinstance(path, list):
        raise Http404("No service worker")
    with open(path, "rb") as file:
        source = file.read()
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the worker shows when there is no connection and no kept copy of the page. The
    worker fetches it without cookies at install: it holds nobody's data."""
    return render(request, "pwa/offline.html")
