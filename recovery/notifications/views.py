"""The account home, the bell and its list page, and the unsubscribe link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from ..http import AuthedHttpRequest
from . import preferences, registry, tokens
from .forms import AccountForm
from .models import Notification

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def account_home(request: AuthedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = AccountForm.for_user(request.user, request.POST)
        if form.is_valid():
            form.save()
            messages.success(request, _("Your settings are saved."))
            return redirect("account_home")
    else:
        form = AccountForm.for_user(request.user)
    return render(request, "account/home.html", {"form": form})


@login_required
@never_cache
def bell(request: AuthedHttpRequest) -> HttpResponse:
    """The unread count, polled by htmx (hx-trigger="load, every 60s")."""
    unread = Notification.objects.filter(recipient=request.user, read_at__isnull=True).count()
    return render(request, "notifications/bell.html", {"unread": unread})


@login_required
@vary_on_headers("HX-Request")
def notification_list(request: AuthedHttpRequest) -> HttpResponse:
    """The newest notifications; seeing them here marks them read."""
    items = list(Notification.objects.filter(recipient=request.user)[:PAGE_SIZE])
    unread_ids = [n.pk for n in items if n.read_at is None]
    if unread_ids:
        Notification.objects.filter(pk__in=unread_ids).update(read_at=timezone.now())
    return render(request, "notifications/list.html",
                  {"items": items, "unread_ids": set(unread_ids)})


@login_required
@require_POST
def mark_all_read(request: AuthedHttpRequest) -> HttpResponse:
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if request.htmx:
        return render(request, "notifications/bell.html", {"unread": 0})
    return redirect("notifications:list")


@csrf_exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click", with no cookie
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a one-button page (link scanners that follow links unsubscribe nobody);
    POST unsubscribes, signed in or not. Forged and expired tokens get a clear page."""
    try:
        user_id, kind_name = tokens.read(token)
    except tokens.InvalidToken as exc:
        return render(request, "notifications/unsubscribe.html",
                      {"invalid": True, "expired": exc.expired}, status=400)
    kind = registry.get(kind_name)
    label = kind.label if kind is not None else _("all reminders")
    if request.method == "POST":
        preferences.unsubscribe(user_id, kind_name)
        return render(request, "notifications/unsubscribe.html", {"done": True, "label": label})
    return render(request, "notifications/unsubscribe.html", {"label": label, "token": token})
