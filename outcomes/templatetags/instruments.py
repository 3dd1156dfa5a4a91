"""{{ version|language_note }}: "This questionnaire is only available in English." when the
reader's language is not the questionnaire's (outcomes.definitions.language_note)."""

from __future__ import annotations

from django import template

from ..definitions import language_note as _language_note
from ..models import InstrumentVersion

register = template.Library()


@register.filter
def language_note(version: InstrumentVersion) -> str:
    return _language_note(version)
