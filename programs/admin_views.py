"""The admin's extra pages for one programme version: a day preview, a comparison with another
version, and the Publish / New draft buttons of its change form. Wired in by admin.py."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recovery.http import AuthedHttpRequest

from . import versions
from .models import WEEKDAY_NAMES, Enrolment, ExerciseTemplate, ProgramVersion
from .schedule import plan_for, programme_date

WEEKDAY_CHOICES = [(i, name) for i, name in enumerate(WEEKDAY_NAMES)]


# --- friendlier fields for an exercise's JSON lists -------------------------------------------


def format_weeks(weeks: Any) -> str:
    """[1, 2, 3, 5] -> "1-3, 5"."""
    if not isinstance(weeks, list) or not all(isinstance(w, int) for w in weeks):
        return "" if not weeks else str(weeks)
    runs: list[list[int]] = []
    for w in sorted(set(weeks)):
        if runs and runs[-1][1] == w - 1:
            runs[-1][1] = w
        else:
            runs.append([w, w])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


class WeekListField(forms.CharField):
    """Week numbers typed as "1-3, 5"; cleaned to a sorted list of integers."""

    def prepare_value(self, value: Any) -> Any:
        return format_weeks(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[int]:  # type: ignore[override]
        text = super().to_python(value) or ""
        weeks: set[int] = set()
        for part in filter(None, (p.strip() for p in text.split(","))):
            match = re.fullmatch(r"(\d+)\s*(?:[-–]\s*(\d+))?", part)
            if not match:
                raise ValidationError(
                    _("“%(part)s” is not a week number: write weeks such as 1-3, 5.") % {"part": part}
                )
            first, last = int(match[1]), int(match[2] or match[1])
            if first > last or last > 520:
                raise ValidationError(_("“%(part)s” is not a range of weeks.") % {"part": part})
            weeks.update(range(first, last + 1))
        return sorted(weeks)


class WeekdaysField(forms.TypedMultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(choices=WEEKDAY_CHOICES, coerce=int, required=False, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return value if value is not None else []

    def has_changed(self, initial: Any, data: Any) -> bool:
        return sorted(initial or []) != sorted(int(d) for d in data or [])


class ExerciseTemplateForm(forms.ModelForm):
    weeks = WeekListField(
        label=gettext_lazy("Active in weeks"),
        help_text=gettext_lazy("Programme weeks it is due in, e.g. “1-3, 5”."),
    )
    weekdays = WeekdaysField(
        label=gettext_lazy("On weekdays"), help_text=gettext_lazy("Only for the cadence “On given weekdays”.")
    )
    rest_days = WeekdaysField(
        label=gettext_lazy("Rest days"), help_text=gettext_lazy("Weekdays with nothing due (not for “Once”).")
    )
    media_url = forms.URLField(
        label=gettext_lazy("Media URL"), required=False, assume_scheme="https",
        help_text=gettext_lazy("An audio file or page to open; or upload a media file instead."),
    )

    class Meta:
        model = ExerciseTemplate
        fields = (
            "title", "slug", "kind", "order", "estimated_minutes", "instructions", "prompt",
            "media_file", "media_url", "weeks", "cadence", "times_per_week", "once_week",
            "once_day", "weekdays", "rest_days", "placeholder",
        )


# --- pages ------------------------------------------------------------------------------------


def next_monday(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=(7 - today.weekday()) % 7)


# A preview start date within ten years either side of today: any real enrolment starts there,
# and every programme day after it stays a valid date.
PREVIEW_WINDOW = dt.timedelta(days=3650)


class PreviewForm(forms.Form):
    week = forms.TypedChoiceField(label=gettext_lazy("Week"), coerce=int)
    day = forms.TypedChoiceField(
        label=gettext_lazy("Day of the week"), coerce=int, choices=[(d, f"Day {d}") for d in range(1, 8)]
    )
    start = forms.DateField(
        label=gettext_lazy("Programme start date"),
        help_text=gettext_lazy("Day 1 of week 1. Weekdays and rest days depend on it."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, weeks: int, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        week = self.fields["week"]
        assert isinstance(week, forms.ChoiceField)
        week.choices = [(w, f"Week {w}") for w in range(1, max(weeks, 1) + 1)]

    def clean_start(self) -> dt.date:
        start: dt.date = self.cleaned_data["start"]
        first, last = self.today - PREVIEW_WINDOW, self.today + PREVIEW_WINDOW
        if not first <= start <= last:
            raise ValidationError(
                _("Choose a start date between %(first)s and %(last)s.") % {"first": date_format(first, "j F Y"), "last": date_format(last, "j F Y")}
            )
        return start


def _version(pk: int) -> ProgramVersion:
    return get_object_or_404(ProgramVersion.objects.select_related("program"), pk=pk)


def _context(model_admin: admin.ModelAdmin, request: AuthedHttpRequest, version: ProgramVersion,
             title: str) -> dict[str, Any]:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": version,
        "version": version,
        "title": title,
        "has_view_permission": True,
    }


def preview(model_admin: admin.ModelAdmin, request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """What a patient enrolled in this version would see on week W, day D: plan_for's answer
    for an enrolment (never saved) that starts on the chosen date."""
    version = _version(pk)
    prefetch_related_objects([version], "weeks", "exercises", "sessions")
    weeks = list(version.weeks.all())
    data = request.GET if "week" in request.GET else None
    today = request.user.local_today()
    initial: dict[str, Any] = {"week": 1, "day": 1, "start": next_monday(today)}
    form = PreviewForm(data, initial=initial, weeks=len(weeks), today=today)
    context = _context(model_admin, request, version, f"Preview of {version}")
    context["form"] = form
    if not weeks:
        context["empty"] = True
    elif data is None or form.is_valid():
        values: dict[str, Any] = form.cleaned_data if data is not None else initial
        week, day, start = values["week"], values["day"], values["start"]
        enrolment = Enrolment(
            version=version,
            program=version.program,
            start_date=start,
            status=Enrolment.Status.ACTIVE,
            status_changed_on=start,
        )
        local_date = programme_date(start, (week - 1) * 7 + day - 1, [])
        assert local_date is not None  # no pauses
        plan = plan_for(enrolment, local_date)
        context.update(
            week_number=week,
            day_number=day,
            local_date=local_date,
            week=next((w for w in weeks if w.number == week), None),
            exercises=plan.exercises,
            sessions=plan.sessions,
        )
    return TemplateResponse(request, "admin/programs/programversion/preview.html", context)


class CompareForm(forms.Form):
    other = forms.ModelChoiceField(
        queryset=ProgramVersion.objects.none(), label=gettext_lazy("Compare with"), empty_label=None
    )

    def __init__(self, *args: Any, version: ProgramVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["other"]
        field.queryset = version.program.versions.exclude(pk=version.pk).order_by("-number")  # type: ignore[attr-defined]
        field.label_from_instance = lambda v: f"Version {v.number} ({v.get_status_display()})"  # type: ignore[attr-defined]


def compare(model_admin: admin.ModelAdmin, request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The changes between this version and another version of the same programme."""
    version = _version(pk)
    form = CompareForm(request.GET or None, version=version)
    context = _context(model_admin, request, version, f"Compare {version} with another version")
    context.update(form=form, has_others=form.fields["other"].queryset.exists())  # type: ignore[attr-defined]
    if form.is_bound and form.is_valid():
        other = form.cleaned_data["other"]
        old, new = sorted((version, other), key=lambda v: v.number)
        context.update(old=old, new=new, changes=versions.diff_versions(old, new))
    return TemplateResponse(request, "admin/programs/programversion/compare.html", context)


# --- publishing and drafting (the actions and the change form's buttons) ----------------------


def publish_with_messages(request: AuthedHttpRequest, version: ProgramVersion) -> bool:
    try:
        versions.publish(version)
    except ValidationError as exc:
        messages.error(
            request,
            format_html(
                "Version {} of “{}” was not published:<ul>{}</ul>",
                version.number,
                version.program,
                format_html_join("", "<li>{}</li>", ((m,) for m in exc.messages)),
            ),
        )
        return False
    messages.success(
        request,
        _("Published version %(number)s of “%(program)s”. New enrolments take it; "
              "patients already enrolled keep their version.") % {"number": version.number, "program": version.program},
    )
    return True


def draft_with_messages(request: AuthedHttpRequest, version: ProgramVersion) -> ProgramVersion:
    draft = versions.new_draft_from(version)
    url = reverse("admin:programs_programversion_change", args=[draft.pk])
    messages.success(
        request,
        format_html(
            "Created draft version {} of “{}” from version {}: <a href=\"{}\">edit the draft</a>.",
            draft.number,
            draft.program,
            version.number,
            url,
        ),
    )
    return draft


def publish_confirmation(
    model_admin: admin.ModelAdmin,
    request: AuthedHttpRequest,
    chosen: Sequence[ProgramVersion],
    *,
    action: str = "",
) -> TemplateResponse:
    """The page an admin confirms before publishing: for each version, what will freeze (its
    weeks, sessions and exercises), the checks' result, and the version it retires. Posting
    it back with confirm=yes publishes (from the change form's button, or the list's action)."""
    previews = [versions.publish_preview(v) for v in chosen]
    single = chosen[0] if len(chosen) == 1 and not action else None
    opts = model_admin.model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "title": "Publish " + (str(single) if single else "the selected versions"),
        "previews": previews,
        "publishable": sum(p.can_publish for p in previews),
        "single": single,
        "action": action,
        "selected": [v.pk for v in chosen] if action else [],
        "form_url": request.get_full_path() if single else changelist,
        "cancel_url": (
            reverse("admin:programs_programversion_change", args=[single.pk])
            if single else changelist
        ),
    }
    return TemplateResponse(request, "admin/programs/programversion/publish.html", context)


def publish_button(model_admin: admin.ModelAdmin, request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """GET (or a POST not confirmed): the confirmation page; POST confirm=yes: publish."""
    version = _version(pk)
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        publish_with_messages(request, version)
        return HttpResponseRedirect(reverse("admin:programs_programversion_change", args=[pk]))
    return publish_confirmation(model_admin, request, [version])


def draft_button(model_admin: admin.ModelAdmin, request: AuthedHttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    draft = draft_with_messages(request, _version(pk))
    return HttpResponseRedirect(reverse("admin:programs_programversion_change", args=[draft.pk]))
