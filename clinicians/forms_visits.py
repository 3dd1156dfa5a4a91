"""Forms of the follow-up visit pages. They read input; the rules (no double booking, done or
missed only once the time has come) are clinicians.visits'. Dates outside the window every
date input shares (journaling.dates) get the same clear message as elsewhere."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from journaling.dates import in_window, window_text

from .models_visits import FollowUpVisit


class ScheduleForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("That is not a date we can read: use the date picker, "
                                   "or type it as 2026-03-14.")},
    )
    time = forms.TimeField(
        label=gettext_lazy("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": gettext_lazy("That is not a time we can read: type it as 10:30.")},
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("How"), choices=FollowUpVisit.Mode.choices, widget=forms.RadioSelect,
        initial=FollowUpVisit.Mode.IN_PERSON,
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        self.today = today
        super().__init__(*args, **kwargs)

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        if not in_window(day, self.today):
            raise forms.ValidationError(
                _("That date is too far away: choose one from %(window)s.") % {"window": window_text(self.today)}
            )
        if day < self.today:
            raise forms.ValidationError(
                _("That day has passed: a follow-up is scheduled for today or later.")
            )
        return day


class NotesForm(forms.ModelForm):
    class Meta:
        model = FollowUpVisit
        fields = ["status", "summary", "discussed", "plan"]
        labels = {
            "status": gettext_lazy("The visit"),
            "summary": gettext_lazy("Summary"),
            "discussed": gettext_lazy("What was discussed"),
            "plan": gettext_lazy("Plan"),
        }
        widgets = {
            "status": forms.RadioSelect,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "discussed": forms.Textarea(attrs={"rows": 5}),
            "plan": forms.Textarea(attrs={"rows": 4}),
        }
