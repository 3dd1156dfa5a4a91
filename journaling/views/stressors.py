"""The stressor inventory page: add lines by category, remove them, undo a removal.
Every POST works with htmx (a partial for the changed list item) and without it (a
redirect back to the page, which then offers the Undo). Rules: journaling.stressors."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from journaling import stressors as rules
from journaling.forms import StressorForm
from journaling.models import StressorItem
from recovery.decorators import patient_required
from recovery.http import AuthedHttpRequest

# The last removed line, kept in the session (server side, the patient's own words) so that
# "Undo" needs nothing from the client but the click.
UNDO_KEY = "journal_stressor_undo"


@patient_required
def stressors(request: AuthedHttpRequest) -> HttpResponse:
    errors: dict[str, StressorForm] = {}
    if request.method == "POST":
        category = request.POST.get("category", "")
        if category not in StressorItem.Category.values:
            category = "stressor"
        form = StressorForm(request.POST, auto_id=f"id_{category}_%s")
        if form.is_valid():
            try:
                item, created = rules.add_stressor(
                    request.user, form.cleaned_data["category"], form.cleaned_data["text"]
                )
            except ValueError as exc:
                form.add_error("text", str(exc))
            else:
                if created:
                    messages.success(request, _("Added to “%(category)s”.") % {"category": item.get_category_display()})
                else:
                    messages.info(request, _("That one is already on your list."))
                return redirect("journaling:journal_stressors")
        errors[category] = form
    groups = []
    for value, label, items in rules.inventory(request.user):
        form = errors.get(value) or StressorForm(
            initial={"category": value}, auto_id=f"id_{value}_%s"
        )
        form.fields["text"].label = _("Add to “%(label)s”") % {"label": label}
        groups.append({"value": value, "label": label, "items": items, "form": form})
    # Offered right after a removal without htmx (the redirect says so), not on every visit.
    undo = request.session.get(UNDO_KEY) if request.GET.get("removed") == "1" else None
    context = {"groups": groups, "undo": undo}
    return render(
        request, "journaling/journal/stressors.html", context, status=400 if errors else 200
    )


@patient_required
@require_POST
@vary_on_headers("HX-Request")
def stressor_remove(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    # Removing twice (a double click) is harmless: the second finds nothing.
    removed = rules.remove_stressor(request.user, pk)
    if removed is not None:
        request.session[UNDO_KEY] = removed
    if request.htmx:
        return render(request, "journaling/journal/_stressor_removed.html", {"undo": removed})
    if removed is None:
        return redirect("journaling:journal_stressors")
    return redirect(reverse("journaling:journal_stressors") + "?removed=1")


@patient_required
@require_POST
@vary_on_headers("HX-Request")
def stressor_undo(request: AuthedHttpRequest) -> HttpResponse:
    removed = request.session.pop(UNDO_KEY, None)
    item = rules.undo_removal(request.user, removed) if isinstance(removed, dict) else None
    if request.htmx:
        if item is None:
            return HttpResponse("")
        return render(request, "journaling/journal/_stressor_item.html", {"item": item})
    if item is not None:
        messages.success(request, _("“%(text)s” is back on your inventory.") % {"text": item.text})
    else:
        messages.info(request, _("There is nothing to undo."))
    return redirect("journaling:journal_stressors")
