"""The account home's form: name, time zone, reminder time and what reminders to get."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import dates, translation
from django.utils.translation import gettext_lazy

from ..models import TIME_ZONE_CHOICES, User
from . import registry
from .models import NotificationPreference

# Django's own weekday names (lazy, so each page shows them in its language).
WEEKDAYS = sorted(dates.WEEKDAYS.items())


class AccountForm(forms.Form):
    display_name = forms.CharField(label=gettext_lazy("Your name"), max_length=120, required=False)
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"), choices=TIME_ZONE_CHOICES)
    reminder_time = forms.TimeField(
        label=gettext_lazy("Daily reminder at"), required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=gettext_lazy("Your local time. Leave empty for no daily reminder."),
    )
    digest_weekday = forms.TypedChoiceField(
        label=gettext_lazy("Weekly caseload digest on"), choices=WEEKDAYS, coerce=int
    )
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Send me"), required=False, widget=forms.CheckboxSelectMultiple
    )
    quiet_weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Quiet days (no reminders)"), choices=WEEKDAYS, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    paused = forms.BooleanField(label=gettext_lazy("Pause all reminders"), required=False)
    language = forms.ChoiceField(
        label=gettext_lazy("Language"), required=False,
        choices=[("", gettext_lazy("The language of my browser")), *settings.LANGUAGES],
        help_text=gettext_lazy("For these pages, emails and reminders."),
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        optional = [k for k in registry.kinds(user.role) if not k.essential]
        self.fields["kinds"].choices = [  # type: ignore[attr-defined]
            (k.name, k.label) for k in optional
        ]
        if not user.is_patient:
            del self.fields["time_zone"]  # staff follow their clinic's time zone
            del self.fields["reminder_time"]
        if not user.is_clinician:
            del self.fields["digest_weekday"]
        if user.is_admin:
            del self.fields["display_name"]

    @classmethod
    def for_user(cls, user: User, data: Any = None) -> AccountForm:
        prefs = NotificationPreference.for_user(user.pk)
        profile = user.patient_profile if user.is_patient else getattr(
            user, "clinician_profile", None)
        initial: dict[str, Any] = {
            "kinds": [k.name for k in registry.kinds(user.role) if k.name not in prefs.muted_kinds],
            "quiet_weekdays": prefs.quiet_weekdays,
            "paused": prefs.paused,
            "digest_weekday": prefs.digest_weekday,
            "display_name": profile.display_name if profile is not None else "",
            "language": user.language,
        }
        if user.is_patient:
            initial["time_zone"] = user.patient_profile.time_zone
            initial["reminder_time"] = user.patient_profile.reminder_time
        return cls(user, data, initial=initial)

    def save(self) -> None:
        data = self.cleaned_data
        user = self.user
        prefs, _ = NotificationPreference.objects.get_or_create(user=user)
        offered = {name for name, _ in self.fields["kinds"].choices}  # type: ignore[attr-defined]
        kept = set(prefs.muted_kinds) - offered  # kinds this page does not offer stay as set
        prefs.muted_kinds = sorted(kept | (offered - set(data["kinds"])))
        prefs.quiet_weekdays = sorted(set(data["quiet_weekdays"]))
        prefs.paused = data["paused"]
        if "digest_weekday" in data:
            prefs.digest_weekday = data["digest_weekday"]
        prefs.save()
        if data["language"] != user.language:
            user.language = data["language"]
            user.save(update_fields=["language"])
            if user.language:
                # The confirmation after saving already speaks the new language.
                translation.activate(user.language)
        if user.is_patient:
            profile = user.patient_profile
            profile.display_name = data["display_name"]
            profile.time_zone = data["time_zone"]
            profile.reminder_time = data["reminder_time"]
            profile.save(update_fields=["display_name", "time_zone", "reminder_time"])
        elif user.is_clinician:
            cprofile = user.clinician_profile
            cprofile.display_name = data["display_name"]
            cprofile.save(update_fields=["display_name"])
