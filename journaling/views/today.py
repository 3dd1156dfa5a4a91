"""The patient's Today page: what is due, one-tap completion, the daily check-in, flare support.

Only the patient sees it (clinicians and admins get 404). Every POST works with htmx (the
changed card comes back, plus the week's progress out of band) and without JavaScript
(a normal POST, then a redirect back to the page). A write does only the work it needs:
without JavaScript it redirects without building the page, with htmx it builds the parts
it returns, and it loads the patient's programmes once.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from journaling import checkins, services
from journaling.forms_today import CheckInForm, CompletionForm
from journaling.models import JournalEntry
from programs.models import Enrolment
from recovery import page_cache, panels
from recovery.access import own
from recovery.decorators import patient_required
from recovery.http import AuthedHttpRequest


def _checkin_form(ctx: services.TodayContext) -> CheckInForm:
    checkin = ctx.checkin
    if checkin is None:
        return CheckInForm()
    return CheckInForm(
        initial={"pain": checkin.pain, "stress": checkin.stress, "mood": checkin.mood, "note": checkin.note}
    )


def _context(
    request: AuthedHttpRequest, ctx: services.TodayContext, form: CheckInForm
) -> dict[str, Any]:
    # Apps above journaling (questionnaires, follow-up visits) add their cards through the
    # core's panel registry, so Today never imports them.
    # They reuse the programmes Today loaded (pauses, versions' content) instead of re-reading.
    loaded = panels.Loaded(enrolments=[p.enrolment for p in ctx.programmes])
    extra = panels.for_today(request.user, ctx.local_date, loaded)
    return {"ctx": ctx, "form": form, "panels": extra}


def _page(request: AuthedHttpRequest, ctx: services.TodayContext, form: CheckInForm) -> HttpResponse:
    return render(request, "journaling/today.html", _context(request, ctx, form))


def _ttl(ctx: services.TodayContext) -> int:
    """How long a rendering of Today may be served while the patient's data is unchanged:
    until the next meeting starts (it leaves the page then), and at most PAGE_CACHE_SECONDS
    (a panel's time-bound content, a questionnaire switched on or off by the clinic)."""
    ttl = page_cache.max_age()
    meeting = ctx.next_meeting
    if meeting is not None and meeting.starts_at is not None:
        ttl = min(ttl, int((meeting.starts_at - timezone.now()).total_seconds()))
    return max(ttl, 1)


def _today_url(anchor: str = "") -> str:
    return reverse("journaling:today") + (f"#{anchor}" if anchor else "")


@patient_required
@require_GET
@vary_on_headers("HX-Request")
def index(request: AuthedHttpRequest) -> HttpResponse:
    today = request.user.local_today()

    def build() -> page_cache.Page:
        ctx = services.today_context(request.user, today)
        context = _context(request, ctx, _checkin_form(ctx))
        return page_cache.Page("journaling/today.html", context, ttl=_ttl(ctx))

    # Opened again and again through the day: served from the cache until the patient's data
    # changes (recovery.page_cache), the local date turns or the TTL above runs out.
    response, _meta = page_cache.serve(request, [today], build)
    return response


# --- check-in ------------------------------------------------------------------------------


@patient_required
@require_POST
@vary_on_headers("HX-Request")
def checkin(request: AuthedHttpRequest) -> HttpResponse:
    today = request.user.local_today()
    form = CheckInForm(request.POST)
    saved = created = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            checkin, created = checkins.record_checkin(
                request.user, today, data["pain"], data["stress"], data["mood"], data["note"]
            )
            saved = True
        except ValidationError as exc:
            form.add_error(None, exc)
    if saved and not request.htmx:
        messages.success(request, _("Check-in saved. Thank you."))
        return redirect(_today_url("checkin"))
    if request.htmx and saved and not created:
        # A changed check-in leaves the week's progress (days checked in) as it was: the
        # card alone, the form just validated showing what was saved.
        return render(
            request,
            "journaling/today/_checkin.html",
            {"ctx": checkins.CheckInCard(today, checkin), "form": form, "saved": True},
        )
    if request.htmx:
        # The card and, for the day's first check-in, the week's progress, nothing else.
        ctx = services.today_context(request.user, today, with_next_meeting=False)
        return render(
            request,
            "journaling/today/checkin_response.html",
            {"ctx": ctx, "form": _checkin_form(ctx) if saved else form, "saved": saved},
        )
    return _page(request, services.today_context(request.user, today), form)


# --- exercises -----------------------------------------------------------------------------


def _not_due(request: AuthedHttpRequest, exercise_id: int) -> HttpResponse:
    # Not due today, not done today, or not this patient's: nothing more to say. A page left
    # open past midnight gets a plain explanation in place of the card instead of nothing.
    if request.htmx:
        return render(request, "journaling/today/_not_due.html", {"exercise_id": exercise_id})
    raise Http404("This exercise is not due today.")


def _card_response(
    request: AuthedHttpRequest,
    enrolments: list[Enrolment],
    exercise_id: int,
    message: str,
) -> HttpResponse:
    if not request.htmx:
        messages.success(request, message)
        return redirect(_today_url(f"exercise-{exercise_id}"))
    # The card and the week's progress, from the programmes already loaded for the write.
    ctx = services.today_context(
        request.user, request.user.local_today(), enrolments=enrolments, with_next_meeting=False
    )
    return render(
        request,
        "journaling/today/exercise_response.html",
        {"ctx": ctx, "card": ctx.card(exercise_id), "exercise_id": exercise_id, "focus": True,
         "status": message},
    )


@patient_required
@require_POST
@vary_on_headers("HX-Request")
def complete(request: AuthedHttpRequest, exercise_id: int) -> HttpResponse:
    today = request.user.local_today()
    enrolments = services.today_enrolments(request.user)
    card = services.find_card(request.user, enrolments, exercise_id, today)
    if card is None:
        return _not_due(request, exercise_id)
    form = CompletionForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return render(
                request,
                "journaling/today/_exercise_card.html",
                {"card": card, "completion_form": form},
            )
        messages.error(request, form.first_error())
        return redirect(_today_url(f"exercise-{exercise_id}"))
    try:
        services.complete_exercise(
            request.user, card.enrolment, card.exercise, today,
            minutes=form.cleaned_data["minutes"], note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        raise Http404(exc.messages[0]) from exc
    return _card_response(request, enrolments, exercise_id, _("Marked as done."))


@patient_required
@require_POST
@vary_on_headers("HX-Request")
def undo(request: AuthedHttpRequest, exercise_id: int) -> HttpResponse:
    today = request.user.local_today()
    enrolments = services.today_enrolments(request.user)
    card = services.find_card(request.user, enrolments, exercise_id, today)
    if card is None:
        return _not_due(request, exercise_id)
    # Only today's completion can be undone: the date is always the patient's today.
    services.undo_completion(request.user, card.exercise, today)
    return _card_response(request, enrolments, exercise_id, _("No longer marked as done."))


# --- flare support ------------------------------------------------------------------------


@patient_required
@require_GET
def flare_support(request: AuthedHttpRequest) -> HttpResponse:
    entry = None
    entry_id = request.GET.get("entry", "")
    # ASCII digits that fit a database key: "²" or 30 digits are no entry, not an error.
    if entry_id.isascii() and entry_id.isdigit() and len(entry_id) < 19:
        # The journal sends the patient here after a flare entry; only their own is named
        # (someone else's id shows the page without it, as if no entry were given).
        entry = own(JournalEntry.objects.filter(pk=int(entry_id)), request.user).first()
    return render(request, "journaling/today/flare.html", {"entry": entry})
