"""The stressor inventory (Sarno): lines a patient grows over weeks, by category.

One line per (patient, category, line regardless of case), held by the database
(`one_stressor_per_line`): two identical posts racing create one item, never two and never
a 500. Removing is undoable: the removed line is returned so the view can offer "Undo".
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from recovery import freshness
from recovery.access import own
from recovery.models import User

from .models import JournalEntry, StressorItem

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # dev-only package: typing only

MAX_STRESSOR_CHARS = 500


def normalise(text: str) -> str:
    """One spelling of a line: single spaces, no surrounding blanks."""
    return " ".join(text.split())


def _same_line(patient: User, category: str, text: str) -> QuerySet[StressorItem]:
    # The blind index regardless of case: the comparison the unique constraint makes.
    return StressorItem.objects.same_line(text).filter(patient=patient, category=category)


def add_stressor(
    patient: User,
    category: str,
    text: str,
    *,
    local_date: dt.date | None = None,
    created_at: dt.datetime | None = None,
) -> tuple[StressorItem, bool]:
    """Add one line to the inventory; the same line twice in a category is kept once, so a
    double or concurrent submission never duplicates it. A line is never cut short: one
    longer than MAX_STRESSOR_CHARS is refused (ValueError), as is an empty one."""
    text = normalise(text)
    if category not in StressorItem.Category.values or not text:
        raise ValueError(_("A stressor needs a category and some words."))
    if len(text) > MAX_STRESSOR_CHARS:
        raise ValueError(_("A stressor is at most %(limit)s characters.") % {"limit": MAX_STRESSOR_CHARS})
    existing = _same_line(patient, category, text).first()
    if existing is not None:
        return existing, False
    try:
        # A savepoint: the loser of a race hits the constraint and returns the winner's row.
        with transaction.atomic():
            item = StressorItem.objects.create(
                patient=patient,
                category=category,
                text=text,
                local_date=local_date or patient.local_today(),
                created_at=created_at or timezone.now(),
            )
    except IntegrityError:
        return _same_line(patient, category, text).get(), False
    return item, True


def remove_stressor(patient: User, pk: Any) -> dict[str, str] | None:
    """Remove one of the patient's own lines; returns what `undo_removal` needs to put it
    back (None when there was nothing to remove: a double click, or someone else's line)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    item = own(StressorItem.objects.all(), patient).filter(pk=pk).first()
    if item is None:
        return None
    item.delete()
    return {
        "category": item.category,
        "text": item.text,
        "local_date": item.local_date.isoformat(),
        "created_at": item.created_at.isoformat(),
    }


def undo_removal(patient: User, removed: dict[str, str]) -> StressorItem | None:
    """Put a removed line back where it was (same dates, so the same place in the list).
    Idempotent: undoing twice restores it once."""
    try:
        local_date = dt.date.fromisoformat(removed["local_date"])
        created_at = dt.datetime.fromisoformat(removed["created_at"])
        item, _ = add_stressor(
            patient, removed["category"], removed["text"],
            local_date=local_date, created_at=created_at,
        )
    except (KeyError, TypeError, ValueError):
        return None
    return item


def inventory(patient: User) -> list[tuple[str, StrOrPromise, list[StressorItem]]]:
    """The whole inventory grouped by category, in Sarno's order, empty groups included."""
    items = list(own(StressorItem.objects.all(), patient).order_by("created_at", "pk"))
    return [
        (value, label, [i for i in items if i.category == value])
        for value, label in StressorItem.Category.choices
    ]


def record_entry_stressors(entry: JournalEntry) -> None:
    """A saved stressor-inventory entry turns its pending lines into inventory items and
    records what was added that day (data["added"], which its card and search show)."""
    if entry.kind != JournalEntry.Kind.STRESSOR_INVENTORY:
        return
    if entry.status != JournalEntry.Status.SAVED:
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
    freshness.touch(entry.patient_id)  # update() sends no signal
