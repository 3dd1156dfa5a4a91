"""The beat schedule as a registry: each app registers its own periodic tasks from its
AppConfig.ready(), and recovery/celery.py reads them all, so the core names no feature task.

    from recovery import beat
    beat.register("send digests", crontab(minute="*/5"), "myapp.tasks.send_digests")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class BeatEntry:
    name: str
    schedule: Any  # seconds (float), a timedelta or a celery.schedules.crontab
    task: str  # the task's registered name


_entries: dict[str, BeatEntry] = {}


def register(name: str, schedule: Any, task: str) -> None:
    """Add a periodic task. Registering the same entry again is harmless; reusing a name for
    a different entry is a programming error and fails loudly."""
    entry = BeatEntry(name, schedule, task)
    existing = _entries.get(name)
    if existing is not None and existing != entry:
        raise ValueError(f"beat entry {name!r} is already registered as {existing!r}")
    _entries[name] = entry


def entries() -> list[BeatEntry]:
    return list(_entries.values())
