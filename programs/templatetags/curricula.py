"""{% load curricula %} {{ exercise|localized:"title" }}: curriculum text in the reader's
language, falling back to the original (programs.i18n.localized)."""

from __future__ import annotations

from typing import Any

from django import template

from ..i18n import localized as _localized

register = template.Library()


@register.filter
def localized(obj: Any, field: str) -> Any:
    if obj is None or obj == "":
        return ""  # like {{ missing.title }}: a missing object shows nothing, never an error
    return _localized(obj, field)
