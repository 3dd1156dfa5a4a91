"""Curriculum text in the reader's language: one function (`localized`) answers what a title,
instruction or education text says for the active language, falling back to the original.

A version's text is written in the site's language (settings.LANGUAGE_CODE); each version,
week, session and exercise may carry `translations`, e.g. {"es": {"title": "..."}}, a JSON
field frozen with the version (it is content like any other field). The YAML carries the same
block per item (programs/yaml_io/schema.py, docs/curricula.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.deconstruct import deconstructible

# Which fields of each section may be translated: the text a patient or clinician reads. Slugs,
# numbers and sources stay as written.
TRANSLATABLE: dict[str, tuple[str, ...]] = {
    "version": ("title", "description"),
    "weeks": ("title", "goals", "education"),
    "sessions": ("title", "agenda", "aims"),
    "exercises": ("title", "instructions", "prompt"),
}


def translation_languages() -> tuple[str, ...]:
    """The languages a curriculum may add: every configured one but the original's."""
    original = settings.LANGUAGE_CODE.split("-")[0]
    return tuple(code for code, _ in settings.LANGUAGES if code != original)


def _base(language: str | None) -> str:
    return (language or "").split("-")[0].lower()


def localized(obj: Any, field: str, language: str | None = None) -> Any:
    """`obj.field` in `language` (default: the active one) when the item carries a non-empty
    translation of it; otherwise the original text."""
    original = getattr(obj, field)
    language = _base(language or translation.get_language())
    translations = getattr(obj, "translations", None)
    if not language or not isinstance(translations, dict):
        return original
    texts = translations.get(language)
    # The admin's JSON field accepts anything; junk there must not break a patient's page.
    value = texts.get(field) if isinstance(texts, dict) else None
    return value if isinstance(value, str) and value.strip() else original


@deconstructible
class TranslationsValidator:
    """The admin's check of a `translations` JSON field: the rules the YAML import applies
    (programs.yaml_io.schema), so a draft edited in the admin exports and imports again."""

    def __init__(self, section: str) -> None:
        self.section = section

    def __call__(self, value: Any) -> None:
        from .yaml_io.schema import translation_errors  # the schema imports the models

        errors = translation_errors(value, self.section)
        if errors:
            raise ValidationError(errors)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TranslationsValidator) and other.section == self.section

    def __hash__(self) -> int:
        return hash(self.section)
