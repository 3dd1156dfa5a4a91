"""Accessibility fixes for Django's admin that need Python, not CSS (the CSS ones are in
static/css/admin-a11y.css). Found by the browser tests' axe check (tests/e2e/a11y.py)."""

from __future__ import annotations

from typing import Any

from django.forms import BaseFormSet, Form
from django.http import HttpRequest


class NamedCellsMixin:
    """For inlines drawn as a table ("admin/edit_inline/tabular.html"): the labels are column
    headers, which do not name the inputs under them (axe "label"/"select-name", WCAG 1.3.1 and
    4.1.2: a screen reader announces "edit text", nothing more). Name each input after its
    column with aria-label, the delete checkbox included."""

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset: type[BaseFormSet[Any]] = super().get_formset(  # type: ignore[misc]
            request, obj, **kwargs
        )

        class Named(formset):  # type: ignore[valid-type,misc]
            def add_fields(self, form: Form, index: int | None) -> None:
                super().add_fields(form, index)
                for name, field in form.fields.items():
                    label = field.label or name.replace("_", " ").capitalize()
                    field.widget.attrs.setdefault("aria-label", str(label))

        Named.__name__ = formset.__name__
        return Named
