"""Forms of the cohort pages. They translate input; the rules they apply (the date window,
the number of places) are programs.cohorts', so the admin and the services agree."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs import cohorts as rules
from programs.models import Cohort, ProgramVersion, Screening
from recovery.models import User


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_title} (version {obj.number})"


class PatientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.display_name
        return name if name == obj.email else f"{name} ({obj.email})"


def group_versions() -> QuerySet[ProgramVersion]:
    """Published versions that have group meetings to schedule."""
    return (
        ProgramVersion.objects.filter(status=ProgramVersion.Status.PUBLISHED)
        .filter(Q(program__is_group=True) | Q(sessions__kind__in=rules.GROUP_KINDS))
        .select_related("program")
        .distinct()
        .order_by("program__title", "-number")
    )


def _bound_dates(field: forms.Field, today: dt.date) -> None:
    """Let the browser's date picker show the same window the server enforces."""
    first, last = rules.date_window(today)
    field.widget.attrs.update({"min": first.isoformat(), "max": last.isoformat()})


class CohortForm(forms.ModelForm):
    version = VersionChoiceField(
        queryset=ProgramVersion.objects.none(), label=gettext_lazy("Programme"), empty_label=gettext_lazy("Choose a programme")
    )
    video_link = forms.URLField(
        label=gettext_lazy("Video link"), required=False, assume_scheme="https",
        help_text=gettext_lazy("Optional, for online groups."),
    )

    class Meta:
        model = Cohort
        fields = ["version", "name", "start_date", "meeting_time", "capacity", "location", "video_link"]
        labels = {
            "name": gettext_lazy("Cohort name"),
            "start_date": gettext_lazy("Start date (day 1)"),
            "meeting_time": gettext_lazy("Meeting time"),
            "capacity": gettext_lazy("Places"),
            "location": gettext_lazy("Place"),
        }
        help_texts = {
            "start_date": gettext_lazy(
                "The first day of week 1. Sessions fall on their programme day from here."),
            "meeting_time": gettext_lazy("In the clinic's time zone."),
            "capacity": format_lazy(gettext_lazy("From {low} to {high}."),
                                    low=rules.MIN_PLACES, high=rules.MAX_PLACES),
            "location": gettext_lazy("Optional, e.g. “Group room, 2nd floor”."),
        }
        widgets = {"start_date": DateInput(), "meeting_time": TimeInput(format="%H:%M")}

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        cast(VersionChoiceField, self.fields["version"]).queryset = group_versions()
        _bound_dates(self.fields["start_date"], today)
        self.fields["capacity"].widget.attrs.update(
            {"min": rules.MIN_PLACES, "max": rules.MAX_PLACES}
        )

    def clean_start_date(self) -> dt.date:
        start: dt.date = self.cleaned_data["start_date"]
        problem = rules.date_problem(start, self.today, _("The start date"))
        if problem:
            raise ValidationError(problem)
        return start

    def clean_capacity(self) -> int:
        capacity = int(self.cleaned_data["capacity"])
        problem = rules.places_problem(capacity)
        if problem:
            raise ValidationError(problem)
        return capacity


class MoveForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    time = forms.TimeField(label=gettext_lazy("Time"), widget=TimeInput(format="%H:%M"))
    location = forms.CharField(label=gettext_lazy("Place"), required=False, max_length=200)

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bound_dates(self.fields["date"], today)


class AddMemberForm(forms.Form):
    patient = PatientChoiceField(
        queryset=User.objects.none(), label=gettext_lazy("Patient"), empty_label=gettext_lazy("Choose a patient")
    )

    def __init__(self, *args: Any, patients: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(PatientChoiceField, self.fields["patient"])
        field.queryset = User.objects.filter(pk__in=[p.pk for p in patients])
        # The choices are already loaded: render them without another query.
        field.choices = [("", field.empty_label)] + [
            (str(p.pk), field.label_from_instance(p)) for p in patients
        ]


class ScreeningForm(AddMemberForm):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=Screening.Outcome.choices, widget=forms.RadioSelect
    )
    decided_on = forms.DateField(label=gettext_lazy("Date of decision"), widget=DateInput())
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Why: e.g. no severe depression or suicidal thoughts at assessment."),
    )
