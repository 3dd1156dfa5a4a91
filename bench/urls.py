"""The project's URLs plus /bench/bare/, the yardstick every page is compared with."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from journaling.models import CheckIn
from recovery.urls import handler403, handler404, handler500
from recovery.urls import urlpatterns as project_urls

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    """The least a signed-in page can cost: the same middleware and session as the page,
    one query on an index (the one-check-in-per-day constraint's), a few bytes back."""
    last = (
        CheckIn.objects.filter(patient_id=request.user.pk)
        .order_by("-local_date")
        .values_list("local_date", flat=True)
        .first()
    )
    return HttpResponse(f"ok {last}", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *project_urls]
