"""The registry of reminder kinds. Each feature app registers its own from AppConfig.ready(),
so the core's dispatcher names no feature:

    from recovery.notifications import registry
    registry.register(registry.ReminderKind(
        name="questionnaire_due", label="A questionnaire is due", audience="patient",
        due=questionnaires_due,  # (start_utc, end_utc) -> iterable of Due, set-based
        title="A short questionnaire is waiting for you", url="/today/",
    ))

plus the message, templates/notifications/kinds/<name>.txt (rendered with the Due's context;
no clinical detail: it only says something is waiting and links to the site).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # dev-only package: typing only



class Due(NamedTuple):
    """One reminder a kind says is due in the window."""

    recipient_id: int
    slot: str  # what it is about: the local date (ISO) or e.g. "occurrence-12-24h"
    due_at: dt.datetime  # UTC
    context: dict[str, Any] = {}  # noqa: RUF012  (never mutated: copied into the ledger)


DueFn = Callable[[dt.datetime, dt.datetime], Iterable[Due]]


@dataclass(frozen=True)
class ReminderKind:
    name: str  # stored in the ledger; also the template name
    label: StrOrPromise  # what the account page calls it (translated when shown)
    audience: str  # "patient" or "clinician": whose account page offers it
    due: DueFn = field(compare=False)
    title: StrOrPromise = ""  # the email subject and the in-app title (translated when sent)
    url: str = "/"  # where the link goes (a path on the site)
    # Essential messages (a safety alert to the care team) ignore mutes, quiet days and pause.
    essential: bool = False


_kinds: dict[str, ReminderKind] = {}


def register(kind: ReminderKind) -> None:
    """Add a kind. Registering the same kind again is harmless (ready() may run twice in
    tests); another kind under a taken name fails loudly."""
    existing = _kinds.get(kind.name)
    if existing is not None and (existing != kind or existing.due is not kind.due):
        raise ValueError(f"reminder kind {kind.name!r} is already registered")
    _kinds[kind.name] = kind


def get(name: str) -> ReminderKind | None:
    return _kinds.get(name)


def kinds(audience: str | None = None) -> list[ReminderKind]:
    return [k for k in _kinds.values() if audience is None or k.audience == audience]
