"""The patient's journal, writing side: the entry form (autosaved by static/js/journal.js),
conflicts and their comparison, and write-and-release. Rules: journaling.entries; what a
kind asks: journaling.kinds (through the form)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from journaling import entries, kinds
from journaling.forms import VISIBILITY_HELP, EntryForm, ReleaseForm, exercise_for
from journaling.models import JournalEntry
from journaling.stressors import inventory
from journaling.views.journal import BADGES, own_entry
from recovery.access import own
from recovery.decorators import patient_required
from recovery.http import AuthedHttpRequest

Visibility = JournalEntry.Visibility


def patient_json(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For the background requests of journal.js: a signed-out request answers 401 JSON,
    never a redirect to the sign-in page (which fetch would follow, and a page answering
    JSON to it could be mistaken for a save). Non-patients get 404, as everywhere."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return JsonResponse(
                {"saved": False, "signed_out": True, "login_url": reverse("account_login"),
                 "error": _("Not saved: sign in again.")},
                status=401,
            )
        if getattr(request.user, "role", None) != "patient":
            raise Http404("Not found")
        return view(request, *args, **kwargs)

    return wrapper


def back_to_the_form(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A form posted after the session ended goes to sign-in and then back to the *form*
    (a new entry's URL with its kind and exercise), where journal.js puts the words it kept
    on the device back and sends them. Without it, "next" would be the bare POST URL."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and not request.user.is_authenticated:
            back = request.path
            if not kwargs and request.POST.get("kind") in kinds.KINDS:
                query = {"kind": request.POST["kind"]}
                if request.POST.get("exercise"):
                    query["exercise"] = request.POST["exercise"]
                back += "?" + urlencode(query)
            return redirect_to_login(back)
        return view(request, *args, **kwargs)

    return wrapper


def _flare_support_url(entry: JournalEntry) -> str:
    # The flare page belongs to the Today area; until it exists, go back to the journal.
    try:
        return reverse("journaling:flare_support") + f"?entry={entry.pk}"
    except NoReverseMatch:
        return reverse("journaling:journal")


def _entry_by_client_id(request: AuthedHttpRequest, client_id: Any) -> JournalEntry | None:
    """The patient's own entry with this client id; another patient's looks absent (the
    write then refuses it as not found)."""
    try:
        cid = uuid.UUID(str(client_id))
    except ValueError:
        return None
    return own(JournalEntry.objects.all(), request.user).filter(client_id=cid).first()


def _form_context(
    request: AuthedHttpRequest, form: EntryForm, kind: str, entry: JournalEntry | None,
    **extra: Any,
) -> dict[str, Any]:
    exercise = form.initial.get("exercise_obj") or exercise_for(
        request.user, form["exercise"].value()
    )
    if form.is_bound:
        flare = bool(getattr(form, "cleaned_data", {}).get("flare"))
    else:
        flare = bool(form.initial.get("flare"))
    spec = kinds.get(kind)
    return {
        "form": form,
        "entry": entry,
        "kind": kind,
        "kind_label": spec.label,
        "kind_info": spec.info,
        "exercise": exercise,
        "flare": flare,
        "unsaved_edits": entry is not None and entries.has_unsaved_edits(entry),
        "privacy_options": [(r, VISIBILITY_HELP[r.data["value"]]) for r in form["visibility"]],
        "release_form": ReleaseForm(
            auto_id="release_%s",
            initial={
                "client_id": form["client_id"].value(),
                "kind": kind,
                "exercise": exercise.pk if exercise else "",
            },
        ),
        "inventory": inventory(request.user) if spec.stressors else None,
        **extra,
    }


@back_to_the_form
@patient_required
def new(request: AuthedHttpRequest) -> HttpResponse:
    patient = request.user
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        existing = _entry_by_client_id(request, request.POST.get("client_id"))
        if existing is not None:
            kind = existing.kind
        if kind not in kinds.KINDS:
            messages.error(request, _("Choose what kind of entry to write."))
            return redirect("journaling:journal_new")
        return _post(request, kind, existing)

    kind = request.GET.get("kind", "")
    exercise = exercise_for(patient, request.GET.get("exercise"))
    if exercise is not None:
        # The exercise decides the kind; a non-writing exercise is ignored.
        exercise_kind = kinds.entry_kind_for(exercise)
        if exercise_kind is None:
            exercise = None
        else:
            kind = exercise_kind
    if kind not in kinds.KINDS:
        return render(request, "journaling/journal/choose.html", {"kinds": kinds.choices()})
    initial = {
        "client_id": uuid.uuid4(),
        "base_revision": 0,
        "editor_id": str(uuid.uuid4()),
        "editor_seq": 0,
        "kind": kind,
        "exercise": exercise.pk if exercise else "",
        "exercise_obj": exercise,
        "flare": kind == JournalEntry.Kind.SYMPTOM_EMOTION and request.GET.get("flare") == "1",
        "visibility": Visibility.PRIVATE,
        "title": exercise.title if exercise else "",
    }
    form = EntryForm(initial=initial, patient=patient, kind=kind)
    return render(
        request, "journaling/journal/form.html", _form_context(request, form, kind, None)
    )


@back_to_the_form
@patient_required
def edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    entry = own_entry(request, pk)
    if entry.visibility == Visibility.RELEASED:
        messages.info(request, _("This entry was written and released: there are no words to edit."))
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


def _post(request: AuthedHttpRequest, kind: str, entry: JournalEntry | None) -> HttpResponse:
    """One handler for the entry form's buttons: Save entry, Save draft (also the no-JS and
    conflict-review path of autosave), Compare the two versions, Keep mine, Keep the saved
    version."""
    patient = request.user
    action = request.POST.get("action", "save")
    if action == "keep_saved":
        if entry is None:
            return redirect("journaling:journal")
        messages.info(request, _("You kept the saved version."))
        return redirect(reverse("journaling:journal_edit", args=[entry.pk]) + "?kept=saved")
    intent = request.POST.get("intent", "save") if action == "keep_mine" else action
    drafting = intent in ("autosave", "compare")
    form = EntryForm(request.POST, patient=patient, kind=kind, autosave=drafting)
    valid = form.is_valid()
    if "client_id" not in form.cleaned_data or "base_revision" not in form.cleaned_data:
        return HttpResponse(_("This form is missing its entry number; reload the page."), status=400)
    if (not valid and not drafting) or form.refused():
        # Nothing is saved; the words are shown again with one clear message. The page
        # shown again is a new editor: its change counter restarts at zero, and must never
        # be mistaken for an older request of the form that posted.
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
    editor: dict[str, Any] = {
        "editor_id": cd.get("editor_id") or "", "editor_seq": cd.get("editor_seq") or 0
    }
    if intent == "compare":
        return _compare(request, form, entry, editor)
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
            patient, cd["client_id"], cd["base_revision"], form.entry_fields(), **editor
        )
    except entries.EntryNotFound as exc:
        raise Http404("No such entry") from exc
    except entries.EntryReleased:
        messages.info(request, _("This entry was written and released; its words are not kept."))
        return redirect("journaling:journal")
    if conflict:
        return _conflict_page(request, form, saved, intent)
    if drafting:
        messages.success(request, _("Draft saved."))
        return redirect("journaling:journal_edit", pk=saved.pk)
    messages.success(request, _("Entry saved."))
    entries.complete_linked_exercise(saved)
    if saved.kind == JournalEntry.Kind.SYMPTOM_EMOTION and saved.data.get("flare"):
        return redirect(_flare_support_url(saved))
    return redirect("journaling:journal_entry", pk=saved.pk)


def _compare(
    request: AuthedHttpRequest, form: EntryForm, entry: JournalEntry | None,
    editor: dict[str, Any],
) -> HttpResponse:
    """"Compare the two versions": shows both when there are two; never saves anything."""
    cd = form.cleaned_data
    if entry is not None and entries.is_conflict(
        entry, cd["base_revision"], form.entry_fields(), editor["editor_id"],
        editor["editor_seq"],
    ):
        return _conflict_page(request, form, entry, "autosave")
    messages.info(request, _("There is nothing to compare: no other version was saved meanwhile."))
    if entry is None:
        return redirect(reverse("journaling:journal_new") + f"?kind={form.entry_kind}")
    return redirect("journaling:journal_edit", pk=entry.pk)


def _conflict_page(
    request: AuthedHttpRequest, form: EntryForm, saved: JournalEntry, intent: str
) -> HttpResponse:
    context = {
        "form": form,
        "saved": saved,
        "intent": intent,
        "differences": _differences(form, saved),
        "kind_label": kinds.get(saved.kind).label,
    }
    return render(request, "journaling/journal/conflict.html", context, status=409)


def _differences(form: EntryForm, saved: JournalEntry) -> list[dict[str, str]]:
    """Field by field, the words in this form and the stored ones, where they differ."""
    mine = form.entry_fields()
    stored = entries.working_copy(saved)
    rows = []
    for name in ("title", "recipient", "body"):
        if name in form.fields and mine.get(name, "") != stored[name]:
            rows.append({"label": str(form.fields[name].label), "mine": mine.get(name, ""),
                         "saved": stored[name]})
    for question in form.spec.questions:
        a, b = mine["data"].get(question.name, ""), stored["data"].get(question.name, "")
        if a != b:
            rows.append({"label": question.display,
                         "mine": kinds.display_value(question.name, a) if a != "" else "",
                         "saved": kinds.display_value(question.name, b) if b != "" else ""})
    pending_mine = mine["data"].get("pending", {})
    pending_saved = stored["data"].get("pending", {})
    if pending_mine != pending_saved:
        def fmt(p: dict[str, list[str]]) -> str:
            return "\n".join(f"{kinds.CATEGORY_LABELS[c]}: {t}" for c, ts in p.items() for t in ts)

        rows.append({"label": _("Stressors to add"), "mine": fmt(pending_mine),
                     "saved": fmt(pending_saved)})
    if mine.get("visibility") and mine["visibility"] != stored["visibility"]:
        rows.append({"label": _("Who can read it"), "mine": BADGES[mine["visibility"]],
                     "saved": BADGES[stored["visibility"]]})
    return rows


@patient_json
@require_POST
def autosave(request: AuthedHttpRequest) -> JsonResponse:
    """The background save of journal.js (fetch, or keepalive on page hide). JSON in and out:
    200 with "saved": true when saved, 409 conflict (nothing written), 400 unusable or
    refused request (nothing written; the words stay on the device), 401 signed out."""
    entry = _entry_by_client_id(request, request.POST.get("client_id"))
    kind = entry.kind if entry is not None else request.POST.get("kind", "")
    if kind not in kinds.KINDS:
        return JsonResponse({"saved": False, "error": _("Not saved: unknown entry kind.")}, status=400)
    form = EntryForm(request.POST, patient=request.user, kind=kind, autosave=True)
    form.is_valid()
    cd = form.cleaned_data
    if any(name in form.errors for name in ("client_id", "base_revision", "editor_seq")) or (
        "client_id" not in cd or "base_revision" not in cd
    ):
        return JsonResponse(
            {"saved": False, "error": _("Not saved: this page's entry number or change counter "
             "is not usable. Reload the page; your words are kept on this device.")}, status=400)
    refused = form.refused()
    if refused:
        return JsonResponse({"saved": False, "error": _("Not saved: %(reason)s") % {"reason": refused[0]}}, status=400)
    try:
        saved, conflict = entries.autosave(
            request.user, cd["client_id"], cd["base_revision"], form.entry_fields(),
            editor_id=cd.get("editor_id") or "", editor_seq=cd.get("editor_seq") or 0,
        )
    except entries.EntryNotFound as exc:
        raise Http404("No such entry") from exc
    except entries.EntryReleased:
        return JsonResponse({"saved": False, "released": True,
                             "error": _("Released words are not saved.")}, status=409)
    if conflict:
        return JsonResponse({"saved": False, "conflict": True, "revision": saved.revision},
                            status=409)
    return JsonResponse(
        {
            "saved": True,
            "revision": saved.revision,
            "status": saved.status,
            "unsaved_edits": entries.has_unsaved_edits(saved),
            "editor_seq": saved.editor_seq,
            "edit_url": reverse("journaling:journal_edit", args=[saved.pk]),
            "saved_at": saved.updated_at.isoformat(),
            "errors": {name: [str(e) for e in errs] for name, errs in form.errors.items()},
        }
    )


@patient_required
@require_POST
def release(request: AuthedHttpRequest) -> HttpResponse:
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That did not work; please try Release again."))
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


def _released_redirect(
    request: AuthedHttpRequest, entry: JournalEntry, flare: bool
) -> HttpResponse:
    entries.complete_linked_exercise(entry)
    messages.success(
        request, _("Released. Your words were not kept anywhere; writing them was what mattered.")
    )
    if flare and entry.kind == JournalEntry.Kind.SYMPTOM_EMOTION:
        return redirect(_flare_support_url(entry))
    return redirect("journaling:journal")
