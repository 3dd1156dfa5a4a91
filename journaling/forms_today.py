"""Forms of the Today page: the daily check-in and "Mark as done"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms


class RangeInput(forms.NumberInput):
    input_type = "range"


# The words at each end of a 0-10 scale, shown next to the slider.
SCALE_ENDS: dict[str, tuple[str, str]] = {
    "pain": ("No pain", "Worst pain imaginable"),
    "stress": ("No stress, calm", "Extreme stress"),
    "mood": ("Very low", "Very good"),
}


def _score(label: str) -> forms.IntegerField:
    message = f"{label} must be a whole number from 0 to 10."
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=10,
        initial=5,
        error_messages={
            "required": f"Please choose your {label.lower()} from 0 to 10.",
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
        widget=RangeInput(attrs={"min": 0, "max": 10, "step": 1}),
    )


class CheckInForm(forms.Form):
    pain = _score("Pain")
    stress = _score("Stress")
    mood = _score("Mood")
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for name in SCALE_ENDS:
            widget = self.fields[name].widget
            widget.attrs["aria-describedby"] = f"{name}-ends"
            # Shows the chosen number as the slider moves (the page works without it).
            widget.attrs["oninput"] = f"document.getElementById('{name}-value').value=this.value"

    def scales(self) -> Iterator[tuple[forms.BoundField, str, str]]:
        for name, (low, high) in SCALE_ENDS.items():
            yield self[name], low, high


class CompletionForm(forms.Form):
    minutes = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=600,
        error_messages={
            "invalid": "Minutes must be a whole number from 1 to 600.",
            "min_value": "Minutes must be a whole number from 1 to 600.",
            "max_value": "Minutes must be a whole number from 1 to 600.",
        },
    )
    note = forms.CharField(required=False, max_length=2000)

    def first_error(self) -> str:
        for errors in self.errors.values():
            return str(errors[0])
        return ""
