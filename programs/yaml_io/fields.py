"""The curriculum file's fields, section by section: each one's type, whether it is required,
its default and its bounds (schema.py checks a document against them; exporting.py writes
them back in this order)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..i18n import TRANSLATABLE
from ..models import ExerciseTemplate, Session

SECTIONS = ("program", "version", "weeks", "sessions", "exercises")


@dataclass(frozen=True)
class F:
    """One field: its type, whether it is required, its default and its bounds."""

    type: str  # text | slug | url | int | bool | choice | int_list | translations
    required: bool = False
    default: Any = None
    max_length: int | None = None
    low: int | None = None
    high: int | None = None
    choices: tuple[str, ...] = ()
    nullable: bool = False


def _text(required: bool = False, max_length: int | None = None) -> F:
    return F("text", required=required, default="", max_length=max_length)


def translations_field(section: str) -> F:
    """Optional `translations: {es: {title: ..., ...}}` of an item's translatable fields."""
    return F("translations", default={}, choices=TRANSLATABLE[section])


PROGRAM_FIELDS = {
    "slug": F("slug", required=True, max_length=50),
    "title": _text(True, 200),
    "summary": _text(),
    "source": _text(),
    "is_group": F("bool", default=False),
    "requires_screening": F("bool", default=False),
}
VERSION_FIELDS = {
    "number": F("int", required=True, low=1, high=10_000),
    "title": _text(max_length=200),
    "description": _text(),
    "source": _text(),
    "changelog": _text(),
    "translations": translations_field("version"),
}
WEEK_FIELDS = {
    "number": F("int", required=True, low=1, high=104),
    "title": _text(True, 200),
    "goals": _text(),
    "education": _text(),
    "translations": translations_field("weeks"),
}
SESSION_FIELDS = {
    "slug": F("slug", required=True, max_length=80),
    "kind": F("choice", required=True, choices=tuple(Session.Kind.values)),
    "title": _text(True, 200),
    "week": F("int", required=True, low=1, high=104),
    "day": F("int", required=True, low=1, high=7),
    "duration_minutes": F("int", required=True, low=1, high=24 * 60),
    "aims": _text(),
    "agenda": _text(),
    "placeholder": F("bool", default=False),
    "translations": translations_field("sessions"),
}
EXERCISE_FIELDS = {
    "slug": F("slug", required=True, max_length=80),
    "kind": F("choice", required=True, choices=tuple(ExerciseTemplate.Kind.values)),
    "title": _text(True, 200),
    "instructions": _text(True),
    "prompt": _text(),
    "media_url": F("url", default="", max_length=200),
    "estimated_minutes": F("int", default=10, low=1, high=24 * 60),
    "weeks": F("int_list", required=True, low=1, high=104),
    "cadence": F(
        "choice", default=ExerciseTemplate.Cadence.DAILY.value,
        choices=tuple(ExerciseTemplate.Cadence.values),
    ),
    "weekdays": F("int_list", default=[], low=0, high=6),
    "times_per_week": F("int", nullable=True, low=1, high=7),
    "once_week": F("int", nullable=True, low=1, high=104),
    "once_day": F("int", nullable=True, low=1, high=7),
    "rest_days": F("int_list", default=[], low=0, high=6),
    "placeholder": F("bool", default=False),
    "translations": translations_field("exercises"),
}
ITEM_FIELDS = {"weeks": WEEK_FIELDS, "sessions": SESSION_FIELDS, "exercises": EXERCISE_FIELDS}
