"""Replaying what a patient did offline (static/js/offline-queue.js): mark done, check in,
save a journal entry. JSON in, JSON out, so the device can tell "saved" from "refused, and
why" and never drops an item silently.

Each write goes through the same service function as the page's own form, with the same
idempotency: the check-in's one row per local day (update_or_create), the completion's unique
(patient, exercise, day), the journal entry's client_id. A replay sent twice (the answer to
the first was lost) changes nothing the second time.

The device sends the local date the patient *meant* (the Today page they were looking at).
Check-ins and completions belong to that day; the Today forms only ever write the patient's
today, so a queued item for another day is refused with the reason, never moved to today.

Answers: 200 {"saved": true}; 400 refused (validation; the reason in "error"); 404 not
this patient's, or not due that day; 409 that day has passed (or a journal conflict);
401 signed out (from patient_json: the device keeps the item and asks to sign in).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from journaling import checkins, entries, kinds, services
from journaling.forms import EntryForm
from journaling.forms_today import CheckInForm, CompletionForm
from journaling.models import JournalEntry
from journaling.views.journal_write import _entry_by_client_id, patient_json
from recovery.http import AuthedHttpRequest


def _refused(error: str, status: int = 400, **extra: object) -> JsonResponse:
    return JsonResponse({"saved": False, "error": error, **extra}, status=status)


def _first_error(form: CheckInForm | CompletionForm | EntryForm) -> str:
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else ""
        message = str(errors[0])
        # "Pain must be ..." already names its field; "This field is required." does not.
        return f"{label}: {message}" if label and label not in message else message
    return _("This could not be saved.")


def _meant_day(request: AuthedHttpRequest) -> tuple[dt.date | None, JsonResponse | None]:
    """The patient's today, if that is the day the device says the item was for; otherwise
    the refusal to send back."""
    raw = request.POST.get("local_date", "")
    try:
        meant = dt.date.fromisoformat(raw)
    except ValueError:
        return None, _refused(_("This item does not say which day it was for."))
    today = request.user.local_today()
    if meant == today:
        return today, None
    when = formats.date_format(meant, "DATE_FORMAT")
    if meant < today:
        reason = _("This was for %(day)s. That day has passed, so it can no longer be saved.")
    else:
        reason = _("This was for %(day)s, which has not begun yet in your time zone.")
    return None, _refused(reason % {"day": when}, status=409, day_passed=meant < today)


@patient_json
@require_POST
def checkin(request: AuthedHttpRequest) -> HttpResponse:
    today, refusal = _meant_day(request)
    if refusal is not None or today is None:
        return refusal or _refused(_("This could not be saved."))
    form = CheckInForm(request.POST)
    if not form.is_valid():
        return _refused(_first_error(form))
    data = form.cleaned_data
    try:
        checkins.save_checkin(
            request.user, today, data["pain"], data["stress"], data["mood"], data["note"]
        )
    except ValidationError as exc:
        return _refused(exc.messages[0])
    return JsonResponse({"saved": True})


@patient_json
@require_POST
def complete(request: AuthedHttpRequest, exercise_id: int) -> HttpResponse:
    enrolments = services.today_enrolments(request.user)
    not_due = _refused(_("This exercise is not due today."), status=404)
    if not any(ex.pk == exercise_id for e in enrolments for ex in e.version.exercises.all()):
        # Not in this patient's programmes: 404 whatever the day, like one that is not due.
        return not_due
    today, refusal = _meant_day(request)
    if refusal is not None or today is None:
        return refusal or _refused(_("This could not be saved."))
    card = services.find_card(request.user, enrolments, exercise_id, today)
    if card is None:
        return not_due
    form = CompletionForm(request.POST)
    if not form.is_valid():
        return _refused(form.first_error())
    try:
        services.complete_exercise(
            request.user, card.enrolment, card.exercise, today,
            minutes=form.cleaned_data["minutes"], note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        return _refused(exc.messages[0])
    return JsonResponse({"saved": True})


@patient_json
@require_POST
def save_entry(request: AuthedHttpRequest) -> HttpResponse:
    """"Save entry" pressed offline: the entry form's own fields, client_id included."""
    existing = _entry_by_client_id(request, request.POST.get("client_id"))
    kind = existing.kind if existing is not None else request.POST.get("kind", "")
    if kind not in kinds.KINDS:
        return _refused(_("Unknown entry kind."))
    if request.POST.get("visibility") == JournalEntry.Visibility.RELEASED:
        # Write-and-release stays on the device; the queue never sends it. Refuse loudly.
        return _refused(_("Written-and-released words are never sent."))
    form = EntryForm(request.POST, patient=request.user, kind=kind)
    if not form.is_valid() or form.refused():
        return _refused(_first_error(form))
    cd = form.cleaned_data
    try:
        saved, conflict = entries.save_entry(
            request.user, cd["client_id"], cd["base_revision"], form.entry_fields(),
            editor_id=cd.get("editor_id") or "", editor_seq=cd.get("editor_seq") or 0,
        )
    except entries.EntryNotFound:
        return _refused(_("No such entry."), status=404)
    except entries.EntryReleased:
        return _refused(_("This entry was written and released; its words are not kept."),
                        status=409)
    url = reverse("journaling:journal_entry", args=[saved.pk])
    if conflict:
        return _refused(
            _("This entry was changed on another device meanwhile. Open it to compare."),
            status=409, conflict=True, url=reverse("journaling:journal_edit", args=[saved.pk]),
        )
    entries.complete_linked_exercise(saved)
    return JsonResponse({"saved": True, "url": url, "revision": saved.revision})
