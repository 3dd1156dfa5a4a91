"""Forms of the Today page: the daily check-in and "Mark as done"."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # dev-only package: typing only

# The words at each end of a 0-10 scale, shown under the choices.
SCALE_ENDS: dict[str, tuple[StrOrPromise, StrOrPromise]] = {
    "pain": (gettext_lazy("No pain"), gettext_lazy("Worst pain imaginable")),
    "stress": (gettext_lazy("No stress, calm"), gettext_lazy("Extreme stress")),
    "mood": (gettext_lazy("Very low"), gettext_lazy("Very good")),
}
SCORE_CHOICES = [(n, str(n)) for n in range(11)]
_NUMBERS = frozenset(text for _, text in SCORE_CHOICES)


def _score(label: StrOrPromise) -> forms.TypedChoiceField:
    # Eleven radio buttons, none chosen until the patient picks one: a slider always sends
    # a value (its starting 5 was saved as if chosen), an untouched radio group sends none,
    # with or without JavaScript. Unanswered is allowed; save_checkin wants at least one.
    return forms.TypedChoiceField(
        label=label,
        choices=SCORE_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": format_lazy(gettext_lazy("{label} must be a whole number from 0 to 10."), label=label)},
        widget=forms.RadioSelect,
    )


class CheckInForm(forms.Form):
    pain = _score(gettext_lazy("Pain"))
    stress = _score(gettext_lazy("Stress"))
    mood = _score(gettext_lazy("Mood"))
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def scales(self) -> Iterator[tuple[forms.BoundField, str, str, SafeString]]:
        """Each scale's field, the words at its ends and its 11 options' markup."""
        for name, (low, high) in SCALE_ENDS.items():
            field = self[name]
            value = str(field.value())
            chosen = value if value in _NUMBERS else ""  # (whatever was posted: a bounded key)
            yield field, str(low), str(high), scale_options(field.html_name, chosen)


@lru_cache(maxsize=256)
def scale_options(name: str, value: str) -> SafeString:
    """The 11 radio buttons of one scale with `value` chosen, rendered once per process for
    each (scale, choice): numbers only, the same in every language. The template's loop over
    the check-in's 33 buttons was most of the check-in card's rendering time."""
    options = [
        ScaleOption(number, text, f"{name}-{number}", value == text)
        for number, text in SCORE_CHOICES
    ]
    return mark_safe(  # noqa: S308 (rendered by the template engine, autoescaped)
        render_to_string("journaling/today/_scale_options.html", {"name": name, "options": options})
    )


@dataclass(frozen=True)
class ScaleOption:
    number: int
    text: str
    id: str  # the input's id, for its label
    checked: bool


class CompletionForm(forms.Form):
    minutes = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=600,
        error_messages={
            "invalid": gettext_lazy("Minutes must be a whole number from 1 to 600."),
            "min_value": gettext_lazy("Minutes must be a whole number from 1 to 600."),
            "max_value": gettext_lazy("Minutes must be a whole number from 1 to 600."),
        },
    )
    note = forms.CharField(required=False, max_length=2000)

    def first_error(self) -> str:
        for errors in self.errors.values():
            return str(errors[0])
        return ""
