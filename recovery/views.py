from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.static import serve

from . import health
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
def media(request: AuthedHttpRequest, path: str) -> HttpResponseBase:
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))


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
