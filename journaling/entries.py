"""The rules of journal entries: autosave without losing or overwriting a word, the final
save, privacy changes and write-and-release (reading entries back, previews and search:
`journaling.entry_text`). Views and tests call these functions directly; what each kind asks
and shows comes from `journaling.kinds`.

Revisions: every write increments `revision`; a write must name the revision it was based on.
A write based on an older revision is refused as a conflict (the second tab never silently
overwrites the first) unless it is harmless:
- it carries exactly the stored content (a retried or double-submitted request), or
- it comes from the same open form (editor_id) that wrote the stored revision, with a higher
  change counter (editor_seq): that form's words descend from the stored ones (its previous
  response was lost). A lower or equal counter is an out-of-order or duplicate request from
  that form, whose newer words are already stored: it is ignored.

Saved entries and their edits: the care team reads an entry's fields as last *saved*
(`JournalEntry.objects.shared()`, `entry_text.details`). So an autosave of a saved entry writes the
edits to `unsaved_edits`, never to those fields; the patient's editor continues from them
(`working_copy`), and "Save entry" promotes them. A draft (never saved) is written in place:
nobody but the patient can read a draft.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Enrolment
from recovery.models import User

from . import services
from .models import JournalEntry
from .stressors import record_entry_stressors

Visibility = JournalEntry.Visibility
Status = JournalEntry.Status

# The fields a form may write; everything else (revision, status, dates) is ours.
CONTENT_FIELDS = ("kind", "title", "recipient", "body", "data", "visibility", "minutes", "exercise")
# Data the server wrote (what a stressor entry added; that it was written during a flare):
# a form that does not carry these keys keeps them.
SERVER_DATA_KEYS = ("added", "flare")


class EntryNotFound(Exception):
    """The client_id belongs to another patient's entry (shown as a 404)."""


class EntryReleased(Exception):
    """A written-and-released entry keeps no words: nothing may be written to it."""


# --- content: what the row holds, what the patient's editor holds ---------------------------


def _content(entry: JournalEntry) -> dict[str, Any]:
    """The entry's saved fields, comparable with `working_copy` (exercise as its pk)."""
    values = {name: getattr(entry, name) for name in CONTENT_FIELDS if name != "exercise"}
    values["exercise"] = entry.exercise_id
    return values


def working_copy(entry: JournalEntry) -> dict[str, Any]:
    """What the patient's editor continues from: the unsaved edits of a saved entry, or the
    entry itself. Never shown to the care team."""
    if entry.unsaved_edits is not None:
        return {**_content(entry), **entry.unsaved_edits}
    return _content(entry)


def has_unsaved_edits(entry: JournalEntry) -> bool:
    return entry.unsaved_edits is not None


def _overlay(current: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """`current` with the request's fields laid over it; server-written data keys the
    request does not carry are kept."""
    values = dict(current)
    for name, value in fields.items():
        values[name] = getattr(value, "pk", value) if name == "exercise" else value
    if "data" in fields:
        data = dict(fields["data"] or {})
        for key in SERVER_DATA_KEYS:
            if key in (current.get("data") or {}) and key not in data:
                data[key] = current["data"][key]
        values["data"] = data
    return values


def _store(entry: JournalEntry, values: dict[str, Any]) -> None:
    """Write content into the entry's own (saved, shareable) fields."""
    was_shared = entry.visibility == Visibility.CARE_TEAM
    for name in CONTENT_FIELDS:
        if name == "exercise":
            entry.exercise_id = values["exercise"]
        else:
            setattr(entry, name, values[name])
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
        raise EntryReleased(_("Written-and-released words are never sent to the server."))
    return dict(fields)


def _locked(client_id: uuid.UUID | str) -> JournalEntry | None:
    return JournalEntry.objects.select_for_update().filter(client_id=client_id).first()


# --- writing ------------------------------------------------------------------------------


def is_conflict(
    entry: JournalEntry, base_revision: int, fields: dict[str, Any], editor_id: str,
    editor_seq: int,
) -> bool:
    """Whether writing `fields` on `base_revision` would overwrite words the writer has not
    seen (the rule in the module docstring). Reads only: "Compare" asks it without saving."""
    if base_revision == entry.revision:
        return False
    current = working_copy(entry)
    if _overlay(current, fields) == current:
        return False
    return not (bool(editor_id) and editor_id == entry.editor_id)


def _write(
    patient: User,
    client_id: uuid.UUID | str,
    base_revision: int,
    fields: dict[str, Any],
    *,
    finish: bool,
    editor_id: str,
    editor_seq: int,
) -> tuple[JournalEntry, bool]:
    fields = _check_fields(fields)
    with transaction.atomic():
        entry = _locked(client_id)
        if entry is None:
            try:
                # A savepoint: a concurrent first save of the same client_id loses the race
                # on the unique constraint and then finds the winner's row below.
                with transaction.atomic():
                    entry = JournalEntry(
                        patient=patient, client_id=client_id, local_date=patient.local_today(),
                        status=Status.SAVED if finish else Status.DRAFT,
                        editor_id=editor_id, editor_seq=editor_seq,
                    )
                    _store(entry, _overlay(_content(entry), fields))
                    entry.save()
                    if finish:
                        record_entry_stressors(entry)
                    return entry, False
            except IntegrityError:
                entry = JournalEntry.objects.select_for_update().get(client_id=client_id)
        if entry.patient_id != patient.pk:
            raise EntryNotFound(str(client_id))
        if entry.visibility == Visibility.RELEASED:
            raise EntryReleased(_("This entry was written and released; it keeps no words."))

        current = working_copy(entry)
        wanted = _overlay(current, fields)
        if base_revision != entry.revision:
            same_editor = bool(editor_id) and editor_id == entry.editor_id
            if wanted == current or (same_editor and editor_seq <= entry.editor_seq):
                # A retry or duplicate: what it carries is stored already (or newer words
                # from the same form are). Only a pending "Save entry" still has an effect.
                if finish and (entry.status != Status.SAVED or has_unsaved_edits(entry)):
                    _promote(entry, current)
                    entry.revision += 1
                    entry.save()
                    record_entry_stressors(entry)
                return entry, False
            if not same_editor:
                return entry, True
        if finish:
            _promote(entry, wanted)
        elif entry.status == Status.SAVED:
            # Autosave of a saved entry: the shareable fields stay as last saved.
            entry.unsaved_edits = None if wanted == _content(entry) else _jsonable(wanted)
        else:
            _store(entry, wanted)
        entry.revision += 1
        entry.editor_id, entry.editor_seq = editor_id, editor_seq
        entry.save()
        if finish:  # never while autosaving half-typed lines
            record_entry_stressors(entry)
        return entry, False


def _promote(entry: JournalEntry, values: dict[str, Any]) -> None:
    _store(entry, values)
    entry.unsaved_edits = None
    entry.status = Status.SAVED


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {name: values[name] for name in CONTENT_FIELDS if name != "kind"}


def autosave(
    patient: User,
    client_id: uuid.UUID | str,
    base_revision: int,
    fields: dict[str, Any],
    *,
    editor_id: str = "",
    editor_seq: int = 0,
) -> tuple[JournalEntry, bool]:
    """Create (first save, keyed by client_id) or update a draft, or keep the unsaved edits
    of a saved entry. Returns (entry, conflict). On conflict nothing is written and `entry`
    is the stored version, so the caller can show both texts. Never changes an entry's
    status, nor what the care team reads."""
    return _write(patient, client_id, base_revision, fields,
                  finish=False, editor_id=editor_id, editor_seq=editor_seq)


def save_entry(
    patient: User,
    client_id: uuid.UUID | str,
    base_revision: int,
    fields: dict[str, Any],
    *,
    editor_id: str = "",
    editor_seq: int = 0,
) -> tuple[JournalEntry, bool]:
    """The final "Save entry": like autosave, conflict-checked, and the entry becomes saved
    with these words (what the care team reads, if shared)."""
    return _write(patient, client_id, base_revision, fields,
                  finish=True, editor_id=editor_id, editor_seq=editor_seq)


def release(
    patient: User,
    client_id: uuid.UUID | str,
    *,
    kind: str,
    minutes: int | None = None,
    exercise: Any = None,
) -> JournalEntry:
    """Record that writing happened, without its words. An entry already autosaved under
    this client_id loses its text on the server. Idempotent, also when two identical
    requests race (the loser of the unique client_id finds the winner's row)."""
    with transaction.atomic():
        entry = _locked(client_id)
        if entry is None:
            entry = JournalEntry(
                patient=patient, client_id=client_id, local_date=patient.local_today(), kind=kind
            )
            _fill_release(entry, minutes, exercise)
            try:
                with transaction.atomic():
                    entry.save()
                    return entry
            except IntegrityError:
                entry = JournalEntry.objects.select_for_update().get(client_id=client_id)
        if entry.patient_id != patient.pk:
            raise EntryNotFound(str(client_id))
        if entry.visibility == Visibility.RELEASED:
            return entry
        _fill_release(entry, minutes, exercise)
        entry.save()
        return entry


def _fill_release(entry: JournalEntry, minutes: int | None, exercise: Any) -> None:
    if exercise is not None:
        entry.exercise = exercise
    if minutes is not None:
        entry.minutes = minutes
    _erase_words(entry)


def _erase_words(entry: JournalEntry) -> None:
    entry.title = entry.recipient = entry.body = ""
    entry.data = {}
    entry.unsaved_edits = None
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
            _store(entry, {**_content(entry), "visibility": visibility})
            if entry.unsaved_edits is not None:
                # Saving the pending edits later must not undo this choice.
                entry.unsaved_edits = {**entry.unsaved_edits, "visibility": visibility}
            entry.revision += 1
        entry.save()
        return entry


def complete_linked_exercise(entry: JournalEntry) -> None:
    """Writing an exercise's entry (saved, or written and released) is doing the exercise:
    it counts for that day, as the Done button would (idempotent; not-due days are skipped)."""
    if entry.exercise_id is None or entry.status != Status.SAVED:
        return
    exercise = entry.exercise
    assert exercise is not None  # for mypy: exercise_id is set
    enrolment = (
        Enrolment.objects.open()
        .filter(patient=entry.patient, version_id=exercise.version_id)
        .first()
    )
    if enrolment is None:
        return
    minutes = entry.minutes if entry.minutes and entry.minutes <= 600 else None
    with contextlib.suppress(ValidationError):  # not due that day: the entry stands alone
        services.complete_exercise(entry.patient, enrolment, exercise, entry.local_date, minutes)
