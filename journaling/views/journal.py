"""The patient's journal: list and search, the entry form (autosaved by static/js/journal.js),
conflicts, write-and-release, privacy, and the stressor inventory. Rules: journaling.entries."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from journaling import entries, services
from journaling.forms import (
    VISIBILITY_HELP,
    EntryForm,
    PrivacyForm,
    ReleaseForm,
    StressorForm,
    exercise_for,
)
from journaling.kinds import entry_kind_for
from journaling.models import EMOTIONS, JournalEntry, StressorItem
from programs.models import Enrolment
from recovery.decorators import patient_required

Kind = JournalEntry.Kind
Visibility = JournalEntry.Visibility
PAGE_SIZE = 20

KIND_INFO: dict[str, str] = {
    Kind.FREE_WRITING: "Write about what is bothering you, today or long ago.",
    Kind.UNSENT_LETTER: "Say what you could never say to someone. The letter is never sent.",
    Kind.STRESSOR_INVENTORY: "Grow your list of stressors: childhood, personality, "
    "current pressures, ageing and mortality.",
    Kind.AFFIRMATION: "A few kind, true words to yourself for today.",
    Kind.SYMPTOM_EMOTION: "A symptom came: what was happening, and what were you feeling?",
    Kind.ATTENTION_SHIFTING: "How you blocked the symptom thought, then shifted your attention.",
}
BADGES: dict[str, str] = {
    Visibility.PRIVATE: "Private",
    Visibility.CARE_TEAM: "Shared with care team",
    Visibility.RELEASED: "Released",
}


def _flare_support_url(entry: JournalEntry) -> str:
    # The flare page belongs to the Today area; until it exists, go back to the journal.
    try:
        return reverse("journaling:flare_support") + f"?entry={entry.pk}"
    except NoReverseMatch:
        return reverse("journaling:journal")


def _complete_exercise(entry: JournalEntry) -> None:
    """Writing an exercise's entry (saved, or written and released) is doing the exercise:
    it counts for that day, as the Done button would (idempotent; not-due days are skipped)."""
    if entry.exercise_id is None or entry.status != JournalEntry.Status.SAVED:
        return
    exercise = entry.exercise
    enrolment = Enrolment.objects.filter(
        patient=entry.patient, version_id=exercise.version_id, status__in=["active", "paused"]
    ).first()
    if enrolment is None:
        return
    minutes = entry.minutes if entry.minutes and entry.minutes <= 600 else None
    with contextlib.suppress(ValidationError):  # not due that day: the entry stands alone
        services.complete_exercise(entry.patient, enrolment, exercise, entry.local_date, minutes)


def _own_entry(request: HttpRequest, pk: int) -> JournalEntry:
    return get_object_or_404(JournalEntry, pk=pk, patient=request.user)


# --- list and search ------------------------------------------------------------------


@patient_required
@vary_on_headers("HX-Request")
def index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "")
    qs = entries.search(request.user, query)
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    page = Paginator(qs.order_by("-local_date", "-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "rows": [(e, entries.snippet(e), BADGES[e.visibility]) for e in page],
        "query": query,
        "kind": kind,
        "kinds": Kind.choices,
        "filter_qs": urlencode({"q": query, "kind": kind}) if query or kind else "",
    }
    template = "journaling/journal/index.html"
    if getattr(request, "htmx", False):
        template = "journaling/journal/_results.html"
    return render(request, template, context)


# --- writing ----------------------------------------------------------------------------


def _form_context(
    request: HttpRequest, form: EntryForm, kind: str, entry: JournalEntry | None, **extra: Any
) -> dict[str, Any]:
    exercise = form.initial.get("exercise_obj") or exercise_for(
        request.user, form["exercise"].value()
    )
    if form.is_bound:
        flare = bool(getattr(form, "cleaned_data", {}).get("flare"))
    else:
        flare = bool(form.initial.get("flare"))
    return {
        "form": form,
        "entry": entry,
        "kind": kind,
        "kind_label": Kind(kind).label,
        "kind_info": KIND_INFO[kind],
        "exercise": exercise,
        "flare": flare,
        "privacy_options": [(r, VISIBILITY_HELP[r.data["value"]]) for r in form["visibility"]],
        "release_form": ReleaseForm(
            auto_id="release_%s",
            initial={
                "client_id": form["client_id"].value(),
                "kind": kind,
                "exercise": exercise.pk if exercise else "",
            },
        ),
        "inventory": entries.inventory(request.user)
        if kind == Kind.STRESSOR_INVENTORY
        else None,
        **extra,
    }


@patient_required
def new(request: HttpRequest) -> HttpResponse:
    patient = request.user
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        existing = _entry_by_client_id(request, request.POST.get("client_id"))
        if existing is not None:
            kind = existing.kind
        if kind not in Kind.values:
            messages.error(request, "Choose what kind of entry to write.")
            return redirect("journaling:journal_new")
        return _post(request, kind, existing)

    kind = request.GET.get("kind", "")
    exercise = exercise_for(patient, request.GET.get("exercise"))
    if exercise is not None:
        # The exercise decides the kind; a non-writing exercise is ignored.
        exercise_kind = entry_kind_for(exercise)
        if exercise_kind is None:
            exercise = None
        else:
            kind = exercise_kind
    if kind not in Kind.values:
        return render(
            request,
            "journaling/journal/choose.html",
            {"kinds": [(value, label, KIND_INFO[value]) for value, label in Kind.choices]},
        )
    initial = {
        "client_id": uuid.uuid4(),
        "base_revision": 0,
        "editor_id": str(uuid.uuid4()),
        "editor_seq": 0,
        "kind": kind,
        "exercise": exercise.pk if exercise else "",
        "exercise_obj": exercise,
        "flare": kind == Kind.SYMPTOM_EMOTION and request.GET.get("flare") == "1",
        "visibility": Visibility.PRIVATE,
        "title": exercise.title if exercise else "",
    }
    form = EntryForm(initial=initial, patient=patient, kind=kind)
    return render(
        request, "journaling/journal/form.html", _form_context(request, form, kind, None)
    )


@patient_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _own_entry(request, pk)
    if entry.visibility == Visibility.RELEASED:
        messages.info(request, "This entry was written and released: there are no words to edit.")
        return redirect("journaling:journal_entry", pk=entry.pk)
    if request.method == "POST":
        return _post(request, entry.kind, entry)
    initial = EntryForm.initial_for(entry)
    initial["editor_id"] = str(uuid.uuid4())
    initial["editor_seq"] = 0
    form = EntryForm(initial=initial, patient=request.user, kind=entry.kind)
    context = _form_context(
        request, form, entry.kind, entry, discard_local=request.GET.get("kept") == "saved"
    )
    return render(request, "journaling/journal/form.html", context)


def _entry_by_client_id(request: HttpRequest, client_id: Any) -> JournalEntry | None:
    try:
        cid = uuid.UUID(str(client_id))
    except ValueError:
        return None
    entry = JournalEntry.objects.filter(client_id=cid).first()
    if entry is not None and entry.patient_id != request.user.pk:
        raise Http404("No such entry")
    return entry


def _post(request: HttpRequest, kind: str, entry: JournalEntry | None) -> HttpResponse:
    """One handler for the entry form's buttons: Save entry, Save draft (also the no-JS and
    conflict-review path of autosave), Keep mine, Keep the saved version."""
    patient = request.user
    action = request.POST.get("action", "save")
    if action == "keep_saved":
        if entry is None:
            return redirect("journaling:journal")
        messages.info(request, "You kept the saved version.")
        return redirect(reverse("journaling:journal_edit", args=[entry.pk]) + "?kept=saved")
    intent = request.POST.get("intent", "save") if action == "keep_mine" else action
    drafting = intent == "autosave"
    form = EntryForm(request.POST, patient=patient, kind=kind, autosave=drafting)
    valid = form.is_valid()
    if "client_id" not in form.cleaned_data or "base_revision" not in form.cleaned_data:
        return HttpResponse("This form is missing its entry number; reload the page.", status=400)
    if not valid and not drafting:
        # The page shown again is a new editor: its change counter restarts at zero, and
        # must never be mistaken for an older request of the form that posted.
        data = request.POST.copy()
        data["editor_id"] = str(uuid.uuid4())
        form.data = data
        return render(
            request,
            "journaling/journal/form.html",
            _form_context(request, form, kind, entry),
            status=400,
        )
    cd = form.cleaned_data
    if cd.get("visibility") == Visibility.RELEASED:
        # "Save entry" pressed while "Write and release" was chosen (no script): the words
        # are dropped here, never stored.
        released = entries.release(
            patient, cd["client_id"], kind=kind, minutes=cd.get("minutes"),
            exercise=cd.get("exercise"),
        )
        return _released_redirect(request, released, bool(cd.get("flare")))
    write = entries.autosave if drafting else entries.save_entry
    try:
        saved, conflict = write(
            patient,
            cd["client_id"],
            cd["base_revision"],
            form.entry_fields(),
            editor_id=cd.get("editor_id") or "",
            editor_seq=cd.get("editor_seq") or 0,
        )
    except entries.EntryNotFound as exc:
        raise Http404("No such entry") from exc
    except entries.EntryReleased:
        messages.info(request, "This entry was written and released; its words are not kept.")
        return redirect("journaling:journal")
    if conflict:
        context = {
            "form": form,
            "saved": saved,
            "intent": intent,
            "differences": _differences(form, saved),
            "kind_label": Kind(kind).label,
        }
        return render(request, "journaling/journal/conflict.html", context, status=409)
    if drafting:
        messages.success(request, "Draft saved.")
        return redirect("journaling:journal_edit", pk=saved.pk)
    messages.success(request, "Entry saved.")
    _complete_exercise(saved)
    if saved.kind == Kind.SYMPTOM_EMOTION and saved.data.get("flare"):
        return redirect(_flare_support_url(saved))
    return redirect("journaling:journal_entry", pk=saved.pk)


def _differences(form: EntryForm, saved: JournalEntry) -> list[dict[str, str]]:
    """Field by field, the words in this form and the stored ones, where they differ."""
    mine = form.entry_fields()
    labels = dict(EMOTIONS)
    rows = []
    names = [n for n in ("title", "recipient", "body") if n in form.fields]
    for name in names:
        if mine.get(name, "") != getattr(saved, name):
            rows.append({"label": form.fields[name].label, "mine": mine.get(name, ""),
                         "saved": getattr(saved, name)})
    for name, label in entries.DATA_LABELS.items():
        if name not in form.fields:
            continue
        a, b = mine["data"].get(name, ""), saved.data.get(name, "")
        if name == "emotions":
            a = ", ".join(labels.get(v, v) for v in a or [])
            b = ", ".join(labels.get(v, v) for v in b or [])
        if a != b:
            rows.append({"label": label, "mine": str(a), "saved": str(b)})
    pending_mine = mine["data"].get("pending", {})
    if pending_mine != saved.data.get("pending", {}):
        def fmt(p: dict[str, list[str]]) -> str:
            return "\n".join(f"{entries.CATEGORY_LABELS[c]}: {t}" for c, ts in p.items() for t in ts)

        rows.append({"label": "Stressors to add", "mine": fmt(pending_mine),
                     "saved": fmt(saved.data.get("pending", {}))})
    if mine.get("visibility") and mine["visibility"] != saved.visibility:
        rows.append({"label": "Who can read it", "mine": BADGES[mine["visibility"]],
                     "saved": BADGES[saved.visibility]})
    return rows


@patient_required
@require_POST
def autosave(request: HttpRequest) -> JsonResponse:
    """The background save of journal.js (fetch, or keepalive on page hide). JSON in and out:
    200 saved, 409 conflict (nothing written), 400 unusable request."""
    entry = _entry_by_client_id(request, request.POST.get("client_id"))
    kind = entry.kind if entry is not None else request.POST.get("kind", "")
    if kind not in Kind.values:
        return JsonResponse({"error": "Unknown entry kind."}, status=400)
    form = EntryForm(request.POST, patient=request.user, kind=kind, autosave=True)
    form.is_valid()
    cd = form.cleaned_data
    if "client_id" not in cd or "base_revision" not in cd:
        return JsonResponse({"error": "Missing entry number or revision."}, status=400)
    try:
        saved, conflict = entries.autosave(
            request.user,
            cd["client_id"],
            cd["base_revision"],
            form.entry_fields(),
            editor_id=cd.get("editor_id") or "",
            editor_seq=cd.get("editor_seq") or 0,
        )
    except entries.EntryNotFound as exc:
        raise Http404("No such entry") from exc
    except entries.EntryReleased:
        return JsonResponse({"released": True, "error": "Released words are not saved."}, status=409)
    if conflict:
        return JsonResponse({"conflict": True, "revision": saved.revision}, status=409)
    return JsonResponse(
        {
            "revision": saved.revision,
            "status": saved.status,
            "editor_seq": saved.editor_seq,
            "edit_url": reverse("journaling:journal_edit", args=[saved.pk]),
            "saved_at": saved.updated_at.isoformat(),
            "errors": {name: [str(e) for e in errs] for name, errs in form.errors.items()},
        }
    )


@patient_required
@require_POST
def release(request: HttpRequest) -> HttpResponse:
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That did not work; please try Release again.")
        return redirect("journaling:journal_new")
    cd = form.cleaned_data
    entry = _entry_by_client_id(request, cd["client_id"])
    try:
        released = entries.release(
            request.user,
            cd["client_id"],
            kind=entry.kind if entry else cd["kind"],
            minutes=cd.get("minutes"),
            exercise=exercise_for(request.user, cd.get("exercise")),
        )
    except entries.EntryNotFound as exc:
        raise Http404("No such entry") from exc
    return _released_redirect(request, released, request.POST.get("flare") == "1")


def _released_redirect(request: HttpRequest, entry: JournalEntry, flare: bool) -> HttpResponse:
    _complete_exercise(entry)
    messages.success(
        request, "Released. Your words were not kept anywhere; writing them was what mattered."
    )
    if flare and entry.kind == Kind.SYMPTOM_EMOTION:
        return redirect(_flare_support_url(entry))
    return redirect("journaling:journal")


# --- one entry and its privacy -----------------------------------------------------------


@patient_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _own_entry(request, pk)
    form = PrivacyForm(initial={"visibility": entry.visibility})
    return render(
        request,
        "journaling/journal/entry.html",
        {
            "entry": entry,
            "details": entries.details(entry),
            "badge": BADGES[entry.visibility],
            "privacy_form": form,
            "privacy_options": [(r, VISIBILITY_HELP[r.data["value"]]) for r in form["visibility"]],
        },
    )


@patient_required
@require_POST
def privacy(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _own_entry(request, pk)
    form = PrivacyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose who can read this entry.")
        return redirect("journaling:journal_entry", pk=entry.pk)
    visibility = form.cleaned_data["visibility"]
    if visibility == Visibility.RELEASED and entry.visibility != Visibility.RELEASED:
        has_words = bool(entry.title or entry.body or entry.recipient or entry.data)
        if has_words and not form.cleaned_data["confirm"]:
            return render(request, "journaling/journal/release_confirm.html", {"entry": entry})
    entries.change_visibility(entry, visibility)
    messages.success(request, {
        Visibility.PRIVATE: "This entry is now private: only you can read it.",
        Visibility.CARE_TEAM: "This entry is now shared with your care team.",
        Visibility.RELEASED: "Released: the words of this entry are erased.",
    }[Visibility(visibility)])
    return redirect("journaling:journal_entry", pk=entry.pk)


# --- the stressor inventory --------------------------------------------------------------


@patient_required
def stressors(request: HttpRequest) -> HttpResponse:
    errors: dict[str, StressorForm] = {}
    if request.method == "POST":
        category = request.POST.get("category", "")
        if category not in StressorItem.Category.values:
            category = "stressor"
        form = StressorForm(request.POST, auto_id=f"id_{category}_%s")
        if form.is_valid():
            item, created = entries.add_stressor(
                request.user, form.cleaned_data["category"], form.cleaned_data["text"]
            )
            if created:
                messages.success(request, f"Added to “{item.get_category_display()}”.")
            else:
                messages.info(request, "That one is already on your list.")
            return redirect("journaling:journal_stressors")
        errors[category] = form
    groups = []
    for value, label, items in entries.inventory(request.user):
        form = errors.get(value) or StressorForm(
            initial={"category": value}, auto_id=f"id_{value}_%s"
        )
        form.fields["text"].label = f"Add to “{label}”"
        groups.append({"value": value, "label": label, "items": items, "form": form})
    return render(
        request,
        "journaling/journal/stressors.html",
        {"groups": groups},
        status=400 if errors else 200,
    )


@patient_required
@require_POST
def stressor_remove(request: HttpRequest, pk: int) -> HttpResponse:
    # Removing twice (a double click) is harmless: the second finds nothing.
    deleted, _ = StressorItem.objects.filter(pk=pk, patient_id=request.user.pk).delete()
    if deleted:
        messages.success(request, "Removed from your inventory.")
    return redirect("journaling:journal_stressors")
