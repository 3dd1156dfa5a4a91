from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils._os import safe_join
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django.views.static import serve

from . import health, uploads
from .http import AuthedHttpRequest
from .models import DEFAULT_CLINIC_SLUG, Clinic


@login_required
def home(request: AuthedHttpRequest) -> HttpResponse:
    """Send each role to its place."""
    user = request.user
    if user.is_admin:
        return redirect("admin:index")
    if user.is_clinician:
        return redirect("clinicians:dashboard")
    return redirect("journaling:today")


@login_required
@require_safe
def media(request: AuthedHttpRequest, path: str) -> HttpResponseBase:
    """Uploaded exercise media, served only when its content is an allowed audio or video
    type (recovery.uploads), with that type, as an attachment, sandboxed and unsniffable:
    an uploaded HTML or SVG file can never run as a page of this site. <audio> and <video>
    still play it (Content-Disposition only affects navigation)."""
    try:
        with open(safe_join(str(settings.MEDIA_ROOT), path), "rb") as file:
            media_type = uploads.sniff_media_type(file.read(uploads.HEAD_BYTES))
    except (OSError, SuspiciousFileOperation):
        raise Http404("no such media file") from None
    if media_type is None:
        raise Http404("not an allowed media file")
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    if not isinstance(response, FileResponse):
        return response  # 304 Not Modified
    response["Content-Type"] = media_type
    response["Content-Disposition"] = f'attachment; filename="{Path(path).name}"'
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def crisis(request: HttpRequest) -> HttpResponse:
    """Public crisis resources: the signed-in person's clinic, else the default clinic's.

    Public on purpose: a patient who cannot sign in (forgotten password, Redis down, locked
    out by rate limits) must still reach help."""
    user = request.user
    clinic = getattr(user, "clinic", None) if user.is_authenticated else None
    if clinic is None:
        clinic = Clinic.objects.filter(slug=DEFAULT_CLINIC_SLUG).first()
    return render(
        request,
        "recovery/crisis.html",
        {
            "crisis_resources": clinic.crisis_resources if clinic else "",
            "clinic_name": clinic.name if clinic else "",
        },
    )


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and the admin ask for /favicon.ico whatever the page says: the SVG icon."""
    return redirect(static("favicon.svg"), permanent=True)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    ok, report = health.run_checks()
    return JsonResponse(report, status=200 if ok else 503)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/500.html", status=500)


@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """"Stay signed in": a request that counts as activity (SessionTimeoutMiddleware has
    already refreshed the clock, or answered 401 when the session had expired)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    return HttpResponse(status=204)
