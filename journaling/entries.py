"""The rules of journal entries: autosave without losing or overwriting a word, the final
save, privacy changes and write-and-release. Views and tests call these functions directly.

Revisions: every write increments `revision`; a write must name the revision it was based on.
A write based on an older revision is refused as a conflict (the second tab never silently
overwrites the first) unless it is harmless:
- it carries exactly the stored content (a retried or double-submitted request), or
- it comes from the same open form (editor_id) that wrote the stored revision, with a higher
  change counter (editor_seq): that form's words descend from the stored ones (its previous
  response was lost). A lower or equal counter is an out-of-order or duplicate request from
  that form, whose newer words are already stored: it is ignored.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from recovery.models import User

from .models import EMOTIONS, JournalEntry, StressorItem

Visibility = JournalEntry.Visibility
Status = JournalEntry.Status

# The fields a form may write; everything else (revision, status, dates) is ours.
CONTENT_FIELDS = ("kind", "title", "recipient", "body", "data", "visibility", "minutes", "exercise")
# Data the server wrote (what a stressor entry added; that it was written during a flare):
# a form that does not carry these keys keeps them.
SERVER_DATA_KEYS = ("added", "flare")
TEXT_DATA_KEYS = (
    "when", "where", "happening", "thoughts", "symptom", "told_myself", "shifted_to", "how_it_went",
)


class EntryNotFound(Exception):
    """The client_id belongs to another patient's entry (shown as a 404)."""


class EntryReleased(Exception):
    """A written-and-released entry keeps no words: nothing may be written to it."""


def _content(entry: JournalEntry) -> dict[str, Any]:
    values = {name: getattr(entry, name) for name in CONTENT_FIELDS if name != "exercise"}
    values["exercise"] = entry.exercise_id
    return values


def _merged(entry: JournalEntry, fields: dict[str, Any]) -> dict[str, Any]:
    if "data" not in fields:
        return fields
    data = dict(fields["data"] or {})
    for key in SERVER_DATA_KEYS:
        if key in entry.data and key not in data:
            data[key] = entry.data[key]
    return {**fields, "data": data}


def _requested(entry: JournalEntry, fields: dict[str, Any]) -> dict[str, Any]:
    """The stored content with the request's fields laid over it, comparable with _content."""
    values = _content(entry)
    for name, value in _merged(entry, fields).items():
        values[name] = getattr(value, "pk", value) if name == "exercise" else value
    return values


def _apply(entry: JournalEntry, fields: dict[str, Any]) -> None:
    was_shared = entry.visibility == Visibility.CARE_TEAM
    for name, value in _merged(entry, fields).items():
        setattr(entry, name, value)
    if entry.visibility == Visibility.CARE_TEAM and not was_shared:
        entry.shared_at = timezone.now()
    elif entry.visibility != Visibility.CARE_TEAM:
        entry.shared_at = None


def _check_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"Not entry fields: {sorted(unknown)}")
    if fields.get("visibility") == Visibility.RELEASED:
        # Write-and-release goes through release(), which never takes the words.
        raise EntryReleased("Written-and-released words are never sent to the server.")
    return dict(fields)


def _write(
    patient: User,
    client_id: uuid.UUID | str,
    base_revision: int,
    fields: dict[str, Any],
    *,
    status: str | None,
    editor_id: str,
    editor_seq: int,
) -> tuple[JournalEntry, bool]:
    fields = _check_fields(fields)
    with transaction.atomic():
        entry = JournalEntry.objects.select_for_update().filter(client_id=client_id).first()
        if entry is None:
            try:
                # A savepoint: a concurrent first save of the same client_id loses the race
                # on the unique constraint and then finds the winner's row below.
                with transaction.atomic():
                    entry = JournalEntry(
                        patient=patient,
                        client_id=client_id,
                        local_date=patient.local_today(),
                        status=status or Status.DRAFT,
                        editor_id=editor_id,
                        editor_seq=editor_seq,
                    )
                    _apply(entry, fields)
                    entry.save()
                    if status == Status.SAVED:
                        _record_stressors(entry)
                    return entry, False
            except IntegrityError:
                entry = JournalEntry.objects.select_for_update().get(client_id=client_id)
        if entry.patient_id != patient.pk:
            raise EntryNotFound(str(client_id))
        if entry.visibility == Visibility.RELEASED:
            raise EntryReleased("This entry was written and released; it keeps no words.")

        promote = status == Status.SAVED and entry.status != Status.SAVED
        if base_revision != entry.revision:
            same_content = _requested(entry, fields) == _content(entry)
            same_editor = bool(editor_id) and editor_id == entry.editor_id
            if same_content or (same_editor and editor_seq <= entry.editor_seq):
                # A retry or duplicate: what it carries is stored already (or newer words
                # from the same form are). Only a pending "Save entry" still has an effect.
                if promote:
                    entry.status = Status.SAVED
                    entry.revision += 1
                    entry.save()
                    _record_stressors(entry)
                return entry, False
            if not same_editor:
                return entry, True
        _apply(entry, fields)
        if promote:
            entry.status = Status.SAVED
        entry.revision += 1
        entry.editor_id, entry.editor_seq = editor_id, editor_seq
        entry.save()
        if status == Status.SAVED:  # never while autosaving half-typed lines
            _record_stressors(entry)
        return entry, False


def autosave(
    patient: User,
    client_id: uuid.UUID | str,
    base_revision: int,
    fields: dict[str, Any],
    *,
    editor_id: str = "",
    editor_seq: int = 0,
) -> tuple[JournalEntry, bool]:
    """Create (first save, keyed by client_id) or update a draft or saved entry.

    Returns (entry, conflict). On conflict nothing is written and `entry` is the stored
    version, so the caller can show both texts. Autosave never changes an entry's status.
    """
    return _write(
        patient, client_id, base_revision, fields,
        status=None, editor_id=editor_id, editor_seq=editor_seq,
    )


def save_entry(
    patient: User,
    client_id: uuid.UUID | str,
    base_revision: int,
    fields: dict[str, Any],
    *,
    editor_id: str = "",
    editor_seq: int = 0,
) -> tuple[JournalEntry, bool]:
    """The final "Save entry": like autosave, conflict-checked, and the entry becomes saved."""
    return _write(
        patient, client_id, base_revision, fields,
        status=Status.SAVED, editor_id=editor_id, editor_seq=editor_seq,
    )


def release(
    patient: User,
    client_id: uuid.UUID | str,
    *,
    kind: str,
    minutes: int | None = None,
    exercise: Any = None,
) -> JournalEntry:
    """Record that writing happened, without its words. An entry already autosaved under
    this client_id loses its text on the server. Idempotent."""
    with transaction.atomic():
        entry = JournalEntry.objects.select_for_update().filter(client_id=client_id).first()
        if entry is not None and entry.patient_id != patient.pk:
            raise EntryNotFound(str(client_id))
        if entry is None:
            entry = JournalEntry(
                patient=patient, client_id=client_id, local_date=patient.local_today(), kind=kind
            )
        elif entry.visibility == Visibility.RELEASED:
            return entry
        if exercise is not None:
            entry.exercise = exercise
        if minutes is not None:
            entry.minutes = minutes
        _erase_words(entry)
        entry.save()
        return entry


def _erase_words(entry: JournalEntry) -> None:
    entry.title = entry.recipient = entry.body = ""
    entry.data = {}
    entry.visibility = Visibility.RELEASED
    entry.status = Status.SAVED
    entry.shared_at = None
    entry.revision += 1
    entry.editor_id, entry.editor_seq = "", 0


def change_visibility(entry: JournalEntry, visibility: str) -> JournalEntry:
    """Privacy chosen later from the entry page. Releasing erases the words on the server;
    a released entry has nothing left to share, so it stays released. The revision moves on
    so that a form still open elsewhere cannot silently put the old privacy back."""
    if visibility not in Visibility.values:
        raise ValueError(f"Unknown visibility {visibility!r}")
    with transaction.atomic():
        entry = JournalEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.visibility == Visibility.RELEASED or entry.visibility == visibility:
            return entry
        if visibility == Visibility.RELEASED:
            _erase_words(entry)
        else:
            _apply(entry, {"visibility": visibility})
            entry.revision += 1
        entry.save()
        return entry


# --- the stressor inventory -------------------------------------------------------------


def add_stressor(patient: User, category: str, text: str) -> tuple[StressorItem, bool]:
    """Add one line to the inventory; the same line twice in a category is kept once, so a
    double submission never duplicates it."""
    text = " ".join(text.split())[:500]
    if category not in StressorItem.Category.values or not text:
        raise ValueError("A stressor needs a category and some words.")
    existing = StressorItem.objects.filter(
        patient=patient, category=category, text__iexact=text
    ).first()
    if existing is not None:
        return existing, False
    item = StressorItem.objects.create(
        patient=patient, category=category, text=text, local_date=patient.local_today()
    )
    return item, True


def _record_stressors(entry: JournalEntry) -> None:
    """A saved stressor-inventory entry turns its pending lines into inventory items and
    records what was added that day (data["added"])."""
    if entry.kind != JournalEntry.Kind.STRESSOR_INVENTORY or entry.status != Status.SAVED:
        return
    pending: dict[str, list[str]] = entry.data.get("pending") or {}
    if not pending:
        return
    added = list(entry.data.get("added") or [])
    for category, lines in pending.items():
        for line in lines:
            try:
                item, _ = add_stressor(entry.patient, category, line)
            except ValueError:
                continue
            record = {"category": item.category, "text": item.text}
            if record not in added:
                added.append(record)
    entry.data = {**{k: v for k, v in entry.data.items() if k != "pending"}, "added": added}
    JournalEntry.objects.filter(pk=entry.pk).update(data=entry.data)


def inventory(patient: User) -> list[tuple[str, str, list[StressorItem]]]:
    """The whole inventory grouped by category, in Sarno's order, empty groups included."""
    items = list(StressorItem.objects.filter(patient=patient).order_by("created_at", "pk"))
    return [
        (value, label, [i for i in items if i.category == value])
        for value, label in StressorItem.Category.choices
    ]


# --- reading ------------------------------------------------------------------------------


def snippet(entry: JournalEntry, length: int = 160) -> str:
    """A short plain-text preview: the words, or the structured fields of the kind."""
    if entry.visibility == Visibility.RELEASED:
        minutes = f" for {entry.minutes} minutes" if entry.minutes else ""
        return f"Wrote{minutes} and released the words."
    parts = [entry.body] if entry.body else []
    parts += [str(entry.data.get(key)) for key in TEXT_DATA_KEYS if entry.data.get(key)]
    if entry.kind == JournalEntry.Kind.STRESSOR_INVENTORY:
        parts += [a["text"] for a in entry.data.get("added", [])]
    text = " · ".join(" ".join(p.split()) for p in parts)
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


DATA_LABELS = {
    "when": "When",
    "where": "Where",
    "intensity": "Intensity (0-10)",
    "happening": "What was happening",
    "emotions": "Feelings",
    "thoughts": "Thoughts",
    "symptom": "The symptom",
    "told_myself": "What I told myself",
    "shifted_to": "What I shifted my attention to",
    "how_it_went": "How it went",
}
EMOTION_LABELS = dict(EMOTIONS)
CATEGORY_LABELS = dict(StressorItem.Category.choices)


def details(entry: JournalEntry) -> list[tuple[str, str]]:
    """The structured fields of an entry as (label, plain text) pairs, for display."""
    rows: list[tuple[str, str]] = []
    for key, label in DATA_LABELS.items():
        value = entry.data.get(key)
        if value in (None, "", []):
            continue
        if key == "emotions":
            value = ", ".join(EMOTION_LABELS.get(v, v) for v in value)
        rows.append((label, str(value)))
    for key, label in (("pending", "Stressors to add"), ("added", "Stressors added that day")):
        items = entry.data.get(key)
        if not items:
            continue
        if key == "pending":
            pairs = [(c, line) for c, lines in items.items() for line in lines]
        else:
            pairs = [(a["category"], a["text"]) for a in items]
        rows.append((label, "\n".join(f"{CATEGORY_LABELS.get(c, c)}: {t}" for c, t in pairs)))
    return rows


def search(patient: User, query: str) -> QuerySet[JournalEntry]:
    """The patient's own entries whose words contain `query`, case-insensitively (icontains
    is portable: LIKE on SQLite, UPPER() LIKE on PostgreSQL)."""
    entries = JournalEntry.objects.filter(patient=patient)
    query = query.strip()
    if not query:
        return entries
    match = Q(title__icontains=query) | Q(body__icontains=query) | Q(recipient__icontains=query)
    for key in TEXT_DATA_KEYS:
        match |= Q(**{f"data__{key}__icontains": query})
    return entries.filter(match)
