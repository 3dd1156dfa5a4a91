"""Journal entries read back: the preview on a card (`snippet`), the structured answers as
label and text (`details`, for the patient's page, the care team and the report), and the
patient's search over words that are encrypted at rest (`search`). What each kind shows and
where a search looks come from `journaling.kinds`; entries are read as last saved."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from recovery.access import own
from recovery.models import User

from . import kinds
from .models import JournalEntry

Visibility = JournalEntry.Visibility


def _stressor_lines(data: dict[str, Any]) -> list[tuple[str, str]]:
    added = [(a["category"], a["text"]) for a in data.get("added") or []]
    pending = [(c, line) for c, lines in (data.get("pending") or {}).items() for line in lines]
    return added + pending


def snippet(entry: JournalEntry, length: int = 160) -> str:
    """A short plain-text preview of the saved entry: its search keys, as its card shows."""
    if entry.visibility == Visibility.RELEASED:
        if entry.minutes:
            return ngettext(
                "Wrote for %(minutes)s minute and released the words.",
                "Wrote for %(minutes)s minutes and released the words.", entry.minutes,
            ) % {"minutes": entry.minutes}
        return _("Wrote and released the words.")
    spec = kinds.KINDS.get(entry.kind)
    parts = [entry.body] if entry.body else []
    if spec is not None:
        parts += [str(entry.data[n]) for n in spec.question_names
                  if n in kinds.WORDED_ANSWERS and entry.data.get(n)]
        if spec.stressors:
            parts += [a["text"] for a in entry.data.get("added") or []]
    text = " · ".join(" ".join(p.split()) for p in parts)
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def details(entry: JournalEntry) -> list[tuple[str, str]]:
    """The structured fields of an entry as (label, plain text) pairs, for display (the
    patient's entry page and the care team's reading of a shared entry)."""
    rows: list[tuple[str, str]] = []
    for name, question in kinds.QUESTIONS.items():
        value = entry.data.get(name)
        if value in (None, "", []):
            continue
        rows.append((str(question.display), kinds.display_value(name, value)))
    for key, label in (("pending", _("Stressors to add")), ("added", _("Stressors added that day"))):
        lines = _stressor_lines({key: entry.data.get(key)})
        if lines:
            rows.append((label, "\n".join(
                f"{kinds.CATEGORY_LABELS.get(c, c)}: {t}" for c, t in lines)))
    return rows


def _search_words(entry: JournalEntry) -> Iterator[str]:
    """The words a search looks at in one entry: where its kind's registry entry says
    (`EntryKind.search_keys`), as saved (never a pending autosave)."""
    spec = kinds.KINDS.get(entry.kind)
    if spec is None:
        return
    data = entry.data or {}
    for key in spec.search_keys:
        if key in ("added", "pending"):
            continue
        value = getattr(entry, key) if key in ("title", "recipient", "body") else data.get(key)
        if isinstance(value, str) and value:
            yield value
    if spec.stressors:
        # Stressor lines live in lists of {category, text}: matched on the lines only (never
        # on the words "category" or "childhood").
        yield from (text for _, text in _stressor_lines(data))


def search(patient: User, query: str) -> QuerySet[JournalEntry]:
    """The patient's own entries whose words contain `query`, case-insensitively (casefold).

    The words are encrypted at rest (recovery.crypto), so SQL can't look into them: this
    decrypts the ONE patient's entries and filters in Python (a year of daily writing is
    ~1,000 entries; bench/journal_search.py measures it), then answers a queryset by id so
    the caller's ordering, kind filter and paging work as before. Chosen over a keyed hash
    index because a substring search needs the words, not equality of whole values."""
    entries = own(JournalEntry.objects.all(), patient)
    query = query.strip()
    if not query:
        return entries
    needle = query.casefold()
    hits: list[int] = []
    misses: list[int] = []
    rows = entries.only("pk", "kind", "title", "recipient", "body", "data")
    for entry in rows.iterator(chunk_size=500):
        found = any(needle in words.casefold() for words in _search_words(entry))
        (hits if found else misses).append(entry.pk)
    # The shorter list of ids goes into the SQL (SQLite caps the number of parameters).
    if len(hits) <= len(misses):
        return entries.filter(pk__in=hits)
    # ...bounded by the last id read, so an entry saved meanwhile is not let in unread.
    return entries.exclude(pk__in=misses).filter(pk__lte=max(hits))
