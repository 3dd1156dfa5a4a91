"""Forms of bringing patients in: the invitation, accepting it, enrolling, the care team.
They translate input; the rules are clinicians.invitations', clinicians.care_teams' and the
engine's (programs.enrolments)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.models import Cohort, Program, ProgramVersion
from recovery.models import TIME_ZONE_CHOICES, User, validate_time_zone

TZ_ATTRS = {"data-browser-time-zone": "1"}  # static/js/time-zone-default.js fills it in


class ClinicianChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class ProgramChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title)


class CohortChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.version.program.title}, from {obj.start_date:%-d %B %Y})"


def published_programs() -> QuerySet[Program]:
    return (
        Program.objects.filter(versions__status=ProgramVersion.Status.PUBLISHED)
        .distinct()
        .order_by("title")
    )


def colleagues(user: User) -> QuerySet[User]:
    return (
        User.objects.filter(role=User.Role.CLINICIAN, clinic_id=user.clinic_id, is_active=True)
        .exclude(pk=user.pk)
        .select_related("clinician_profile")
        .order_by("clinician_profile__display_name", "email")
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Patient's email address"))
    care_team = ClinicianChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Also on the care team"),
        help_text=gettext_lazy("You will be the primary clinician. Add colleagues such as a group facilitator."),
    )
    program = ProgramChoiceField(
        queryset=Program.objects.none(), required=False, label=gettext_lazy("Enrol in a programme"),
        empty_label=gettext_lazy("No programme yet"),
        help_text=gettext_lazy("They start its newest published version on the day they accept."),
    )
    cohort = CohortChoiceField(
        queryset=Cohort.objects.none(), required=False, label=gettext_lazy("Add to a group (cohort)"),
        empty_label=gettext_lazy("No group"),
        help_text=gettext_lazy("Only if the screening allows it; otherwise you will be told why."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(ClinicianChoiceField, self.fields["care_team"]).queryset = colleagues(user)
        cast(ProgramChoiceField, self.fields["program"]).queryset = published_programs()
        cast(CohortChoiceField, self.fields["cohort"]).queryset = (
            Cohort.objects.filter(clinic_id=user.clinic_id)
            .select_related("version__program")
            .order_by("-start_date", "name")
        )


class AcceptForm(forms.Form):
    display_name = forms.CharField(
        label=gettext_lazy("Your name"), max_length=120,
        help_text=gettext_lazy("How your care team and the app address you."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Your time zone"), choices=TIME_ZONE_CHOICES, validators=[validate_time_zone],
        help_text=gettext_lazy("Your day's exercises and reminders follow it."),
    )
    password1 = forms.CharField(
        label=gettext_lazy("Choose a password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=gettext_lazy("The password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
        if not self.is_bound:
            self.fields["time_zone"].widget.attrs.update(TZ_ATTRS)
            self.fields["time_zone"].initial = "UTC"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords are not the same."))
        elif one:
            try:
                # Checked against what the account will hold (similarity to email and name).
                password_validation.validate_password(one, User(email=self.email))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class EnrolForm(forms.Form):
    program = ProgramChoiceField(
        queryset=Program.objects.none(), label=gettext_lazy("Programme"), empty_label=gettext_lazy("Choose a programme")
    )
    start_date = forms.DateField(
        label=gettext_lazy("Day 1"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("In the patient's own time zone; usually today."),
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(ProgramChoiceField, self.fields["program"]).queryset = published_programs()
        self.fields["start_date"].initial = today
        self.today = today

    def clean_start_date(self) -> dt.date:
        start: dt.date = self.cleaned_data["start_date"]
        if abs((start - self.today).days) > 60:
            raise forms.ValidationError(_("Choose a day 1 within two months of today."))
        return start
