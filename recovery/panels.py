"""Panels that feature apps add to a patient's Today page, so Today (journaling) shows what
apps above it know (a questionnaire due, the next follow-up visit) without importing them.

Each app registers from its AppConfig.ready():

    from recovery import panels
    panels.register("questionnaires", order=10, build=due_questionnaires)

`build(patient, local_date, loaded)` returns a `Panel` (a template and its context) or None
when the app has nothing to show that day. It must cost a fixed number of queries. `loaded`
holds what Today already read (its programmes, loaded for plan_for): a panel reuses it
rather than reading it again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .models import User


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Loaded:
    """What Today read before its panels: `enrolments` are the programmes Today shows (the
    open ones, else the last completed one: journaling.services.today_enrolments), with their
    pauses and versions' content loaded (programs.Enrolment: the core does not import it)."""

    enrolments: Sequence[Any] = ()


Builder = Callable[[User, dt.date, Loaded], Panel | None]


@dataclass(frozen=True)
class _Entry:
    name: str
    order: int
    build: Builder


_registry: dict[str, _Entry] = {}


def register(name: str, order: int, build: Builder) -> None:
    """Add a Today panel. The same registration again is harmless; a clash fails loudly."""
    entry = _Entry(name, order, build)
    existing = _registry.get(name)
    if existing is not None and existing != entry:
        raise ValueError(f"Today panel {name!r} is already registered")
    _registry[name] = entry


def for_today(patient: User, local_date: dt.date, loaded: Loaded | None = None) -> list[Panel]:
    """The panels to show on `patient`'s Today for their `local_date`, in order."""
    loaded = loaded if loaded is not None else Loaded()
    panels = []
    for entry in sorted(_registry.values(), key=lambda e: (e.order, e.name)):
        panel = entry.build(patient, local_date, loaded)
        if panel is not None:
            panels.append(panel)
    return panels
