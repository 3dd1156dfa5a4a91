"""The extra fields of self sign-up (ACCOUNT_SIGNUP_FORM_CLASS): name and time zone, so the
person's "today" is right from their first day. allauth calls `signup()` after saving."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from .models import TIME_ZONE_CHOICES, PatientProfile, User, validate_time_zone


class SignupForm(forms.Form):
    display_name = forms.CharField(
        label=gettext_lazy("Your name"), max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": gettext_lazy("Your name")}),
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Your time zone"), choices=TIME_ZONE_CHOICES, validators=[validate_time_zone],
        initial="UTC", help_text=gettext_lazy("Your day's exercises and reminders follow it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # static/js/time-zone-default.js preselects the browser's zone.
            self.fields["time_zone"].widget.attrs["data-browser-time-zone"] = "1"

    def signup(self, request: HttpRequest, user: User) -> None:
        PatientProfile.objects.update_or_create(
            user=user,
            defaults={
                "display_name": self.cleaned_data["display_name"].strip(),
                "time_zone": self.cleaned_data["time_zone"],
            },
        )
