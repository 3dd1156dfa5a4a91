"""The patient's journal, reading side: the list and its search, one entry, and its privacy.
Writing is in journal_write.py, the stressor inventory in stressors.py; the rules are in
journaling.entries, what each kind is in journaling.kinds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from journaling import entries, entry_text, kinds
from journaling.forms import VISIBILITY_HELP, PrivacyForm, SearchForm
from journaling.models import JournalEntry
from recovery import page_cache
from recovery.access import get_own_or_404
from recovery.decorators import patient_required
from recovery.http import AuthedHttpRequest

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # dev-only package: typing only

Visibility = JournalEntry.Visibility
PAGE_SIZE = 20

BADGES: dict[str, StrOrPromise] = {
    Visibility.PRIVATE: gettext_lazy("Private"),
    Visibility.CARE_TEAM: gettext_lazy("Shared with care team"),
    Visibility.RELEASED: gettext_lazy("Released"),
}


def own_entry(request: AuthedHttpRequest, pk: int) -> JournalEntry:
    return get_own_or_404(JournalEntry.objects.all(), request.user, pk=pk)


# --- list and search ------------------------------------------------------------------


@patient_required
@vary_on_headers("HX-Request")
def index(request: AuthedHttpRequest) -> HttpResponse:
    search = SearchForm(request.GET)
    valid = search.is_valid()
    if not valid:
        page = _journal(request, search, valid)
        return render(request, page.template, page.context, status=400)
    # A search reads (and decrypts) every entry of the patient: the list and each search are
    # served from the cache until an entry changes (recovery.page_cache).
    response, _meta = page_cache.serve(
        request, [request.user.local_today()], lambda: _journal(request, search, valid)
    )
    return response


def _journal(request: AuthedHttpRequest, search: SearchForm, valid: bool) -> page_cache.Page:
    query = search.cleaned_data.get("q", "").strip() if valid else ""
    kind = search.cleaned_data.get("kind", "") if valid else ""
    qs = entry_text.search(request.user, query)
    if kind:
        qs = qs.filter(kind=kind)
    page = Paginator(qs.order_by("-local_date", "-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "rows": [(e, entry_text.snippet(e), BADGES[e.visibility]) for e in page],
        "query": query if valid else request.GET.get("q", "").replace("\x00", ""),
        "search_errors": [str(m) for errs in search.errors.values() for m in errs],
        "kind": kind,
        "kinds": [(value, label) for value, label, _ in kinds.choices()],
        "filter_qs": urlencode({"q": query, "kind": kind}) if query or kind else "",
    }
    template = "journaling/journal/index.html"
    if request.htmx:
        template = "journaling/journal/_results.html"
    return page_cache.Page(template, context)


# --- one entry and its privacy -----------------------------------------------------------


@patient_required
def detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    entry = own_entry(request, pk)
    form = PrivacyForm(initial={"visibility": entry.visibility})
    return render(
        request,
        "journaling/journal/entry.html",
        {
            "entry": entry,
            "details": entry_text.details(entry),
            "badge": BADGES[entry.visibility],
            "unsaved_edits": entries.has_unsaved_edits(entry),
            "privacy_form": form,
            "privacy_options": [(r, VISIBILITY_HELP[r.data["value"]]) for r in form["visibility"]],
        },
    )


@patient_required
@require_POST
def privacy(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    entry = own_entry(request, pk)
    form = PrivacyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose who can read this entry."))
        return redirect("journaling:journal_entry", pk=entry.pk)
    visibility = form.cleaned_data["visibility"]
    if visibility == Visibility.RELEASED and entry.visibility != Visibility.RELEASED:
        has_words = bool(entry.title or entry.body or entry.recipient or entry.data
                         or entries.has_unsaved_edits(entry))
        if has_words and not form.cleaned_data["confirm"]:
            return render(request, "journaling/journal/release_confirm.html", {"entry": entry})
    entries.change_visibility(entry, visibility)
    messages.success(request, {
        Visibility.PRIVATE: _("This entry is now private: only you can read it."),
        Visibility.CARE_TEAM: _("This entry is now shared with your care team."),
        Visibility.RELEASED: _("Released: the words of this entry are erased."),
    }[Visibility(visibility)])
    return redirect("journaling:journal_entry", pk=entry.pk)
