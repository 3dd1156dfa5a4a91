"""Forms of the journal: one entry form whose fields come from the kind's registry entry
(`journaling.kinds`), the release form (which carries no words by construction), privacy,
search, and the stressor inventory."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.models import ExerciseTemplate
from recovery.models import User

from . import entries, kinds
from .kinds import MAX_LINE_CHARS, MAX_WORDS_CHARS, Question
from .models import EMOTIONS, JournalEntry, StressorItem
from .stressors import MAX_STRESSOR_CHARS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # dev-only package: typing only

Kind = JournalEntry.Kind
Visibility = JournalEntry.Visibility

# Far above any real change counter, far below what the database and JavaScript can hold:
# a larger number is a bad request, never a 500.
MAX_SEQ = 2**53 - 1

VISIBILITY_CHOICES = [
    (Visibility.PRIVATE, gettext_lazy("Private")),
    (Visibility.CARE_TEAM, gettext_lazy("Share with my care team")),
    (Visibility.RELEASED, gettext_lazy("Write and release")),
]
VISIBILITY_HELP: dict[str, StrOrPromise] = {
    Visibility.PRIVATE: gettext_lazy("Only you can ever read it."),
    Visibility.CARE_TEAM: gettext_lazy("Your clinician and care team can read it once you save it."),
    Visibility.RELEASED: gettext_lazy("Your words stay on this device and are discarded when you press "
    "Release. Only the fact that you wrote (the kind of entry and the minutes) is recorded."),
}
STRESSOR_FIELDS = tuple(f"add_{value}" for value in StressorItem.Category.values)
META_FIELDS = ("client_id", "base_revision", "editor_id", "editor_seq", "kind", "exercise",
               "flare")


NUL_MESSAGE = (gettext_lazy("This text holds an invisible character that cannot be saved (a NUL, often "
               "from a paste). Remove it to save; your words are kept here and on this device."))


def too_long_message(limit: int, length: int) -> str:
    return _("This is %(length)s characters long; the limit is %(limit)s. Shorten it by "
             "%(over)s to save. Your words are kept here and on this device.") % {
        "length": f"{length:,}", "limit": f"{limit:,}", "over": f"{length - limit:,}"}


class WordsField(forms.CharField):
    """Free text kept exactly as written (no stripping), with one newline convention so the
    same words typed in two browsers compare equal. Never cut short: the browser gets no
    `maxlength` (which silently drops the end of a paste) but `data-maxlength`, which
    journal.js turns into a visible counter; the server refuses what is too long."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)
        self.error_messages.setdefault("null_characters_not_allowed", NUL_MESSAGE)
        # The length is checked once, in validate(), with a message that says what to do.
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if attrs.pop("maxlength", None) is not None:
            attrs["data-maxlength"] = str(self.max_length)
        return attrs

    def to_python(self, value: Any) -> str:
        text = str(super().to_python(value) or "")
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def validate(self, value: Any) -> None:
        super().validate(value)
        if self.max_length is not None and len(value) > self.max_length:
            raise forms.ValidationError(
                too_long_message(self.max_length, len(value)), code="max_length"
            )


def _area(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


SCALE_MESSAGE = gettext_lazy("Intensity is a number from 0 (none) to 10 (the worst).")


def _question_field(q: Question) -> forms.Field:
    if q.type == "line":
        return WordsField(label=q.label, help_text=q.help, max_length=MAX_LINE_CHARS)
    if q.type == "scale":
        return forms.IntegerField(
            label=q.label, help_text=q.help, required=False, min_value=0, max_value=10,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            error_messages={"min_value": SCALE_MESSAGE, "max_value": SCALE_MESSAGE,
                            "invalid": SCALE_MESSAGE},
        )
    if q.type == "emotions":
        return forms.MultipleChoiceField(
            label=q.label, help_text=q.help, choices=EMOTIONS, required=False,
            widget=forms.CheckboxSelectMultiple,
        )
    return WordsField(label=q.label, help_text=q.help, max_length=MAX_WORDS_CHARS,
                      widget=_area(q.rows))


def exercise_for(patient: User, exercise_id: Any) -> ExerciseTemplate | None:
    """The exercise, only if it belongs to the version of one of the patient's enrolments."""
    try:
        pk = int(exercise_id)
    except (TypeError, ValueError, OverflowError):
        return None
    return (
        ExerciseTemplate.objects.filter(pk=pk, version__enrolments__patient=patient)
        .distinct()
        .first()
    )


class PlainForm(forms.Form):
    """Labels read "Title", not "Title:"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class EntryForm(PlainForm):
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    base_revision = forms.IntegerField(min_value=0, max_value=MAX_SEQ, initial=0,
                                       widget=forms.HiddenInput)
    editor_id = forms.CharField(max_length=36, required=False, widget=forms.HiddenInput)
    editor_seq = forms.IntegerField(min_value=0, max_value=MAX_SEQ, required=False,
                                    widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=Kind.choices, widget=forms.HiddenInput)
    exercise = forms.CharField(required=False, widget=forms.HiddenInput)
    flare = forms.BooleanField(required=False, widget=forms.HiddenInput)

    title = WordsField(label=gettext_lazy("Title"), max_length=MAX_LINE_CHARS)
    recipient = WordsField(
        label=gettext_lazy("To whom"),
        max_length=MAX_LINE_CHARS,
        help_text=gettext_lazy("A person, a group, your body, your younger self…"),
    )
    body = WordsField(label=gettext_lazy("Your words"), max_length=MAX_WORDS_CHARS, widget=_area(12))
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who can read this entry?"),
        choices=VISIBILITY_CHOICES,
        initial=Visibility.PRIVATE,
        widget=forms.RadioSelect,
    )
    minutes = forms.IntegerField(
        label=gettext_lazy("Minutes spent writing (optional)"),
        required=False,
        min_value=0,
        max_value=1440,
        error_messages={"max_value": gettext_lazy("Minutes: at most 1440 (a whole day).")},
    )

    def __init__(self, *args: Any, patient: User, kind: str, autosave: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.entry_kind = kind
        self.spec = kinds.get(kind)
        self.autosave = autosave
        for name in ("title", "recipient", "body"):
            if name not in self.spec.columns:
                del self.fields[name]
        if "body" in self.fields:
            self.fields["body"].help_text = self.spec.body_help
        for q in self.spec.questions:
            self.fields[q.name] = _question_field(q)
        if self.spec.stressors:
            for value, label in StressorItem.Category.choices:
                self.fields[f"add_{value}"] = WordsField(
                    label=_("Add to “%(label)s”") % {"label": label}, max_length=5000, widget=_area(3),
                    help_text=_("One stressor a line (at most %(limit)s characters).") % {"limit": MAX_STRESSOR_CHARS},
                )
        # Fields in the order the template shows them (meta, columns, answers, the rest).
        order = [*META_FIELDS, "title", "recipient", *self.spec.question_names,
                 *STRESSOR_FIELDS, "body", "minutes", "visibility"]
        self.order_fields(order)
        if autosave:
            # Autosave keeps what it can; only the final save insists.
            self.fields["visibility"].required = False

    # -- grouping for the template -------------------------------------------------------

    def kind_fields(self) -> list[forms.BoundField]:
        names = self.spec.question_names + STRESSOR_FIELDS
        return [self[name] for name in names if name in self.fields]

    # -- validation ----------------------------------------------------------------------

    def clean_kind(self) -> str:
        kind = self.cleaned_data["kind"]
        if kind != self.entry_kind:
            raise forms.ValidationError(_("The kind of an entry cannot change."))
        return str(kind)

    def clean_exercise(self) -> ExerciseTemplate | None:
        return exercise_for(self.patient, self.cleaned_data.get("exercise"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name in STRESSOR_FIELDS:
            for number, line in enumerate((data.get(name) or "").splitlines(), start=1):
                if len(line.strip()) > MAX_STRESSOR_CHARS:
                    self.add_error(name, forms.ValidationError(
                        _("Line %(number)s is %(count)s characters long; one stressor is at most "
                              "%(limit)s. Split or shorten it.") % {"number": number, "count": format(len(line.strip()), ","), "limit": MAX_STRESSOR_CHARS},
                        code="max_length"))
                    break
        if self.autosave or data.get("visibility") == Visibility.RELEASED:
            return data

        def filled(name: str) -> bool:
            return bool(str(data.get(name) or "").strip()) or data.get(name) == 0

        for need in self.spec.required:
            if any(name in self.errors for name in need.fields):
                continue  # that field's own error says what is wrong; never contradict it
            if not any(filled(name) for name in need.fields if name in self.fields):
                self.add_error(need.on or None, need.message)
        return data

    def refused(self) -> list[str]:
        """Why these words cannot be stored as they are (too long; a character no database
        stores): then nothing is saved, not even by autosave, which otherwise keeps what it
        can. The words stay in the form and on the device until the patient fixes them."""
        errors = self.errors.as_data()
        return [str(e.message) for name, errs in errors.items() for e in errs
                if e.code == "max_length" or isinstance(self.fields.get(name), WordsField)]

    # -- output ----------------------------------------------------------------------------

    def entry_fields(self) -> dict[str, Any]:
        """The content for journaling.entries. In autosave mode a field that failed
        validation is left out (its stored value is kept) instead of losing the rest."""
        cd = self.cleaned_data
        fields: dict[str, Any] = {"kind": self.entry_kind, "exercise": cd.get("exercise")}
        for name in ("title", "recipient", "body"):
            if name in cd:
                fields[name] = cd[name]
            elif name not in self.fields:
                fields[name] = ""
        if cd.get("visibility"):
            fields["visibility"] = cd["visibility"]
        if "minutes" in cd:
            fields["minutes"] = cd["minutes"]
        data: dict[str, Any] = {}
        for name in self.spec.question_names:
            if cd.get(name) not in (None, "", []):
                data[name] = cd[name]
        pending = {
            name.removeprefix("add_"): lines
            for name in STRESSOR_FIELDS
            if name in self.fields
            and (lines := [ln.strip() for ln in (cd.get(name) or "").splitlines() if ln.strip()])
        }
        if pending:
            data["pending"] = pending
        if cd.get("flare"):
            data["flare"] = True
        fields["data"] = data
        return fields

    @staticmethod
    def initial_for(entry: JournalEntry) -> dict[str, Any]:
        """The editor's starting point: the entry's working copy (its unsaved edits, if
        any), so that the patient continues where they were."""
        work = entries.working_copy(entry)
        data = work["data"] or {}
        initial: dict[str, Any] = {
            "client_id": entry.client_id,
            "base_revision": entry.revision,
            "kind": entry.kind,
            "exercise": work["exercise"] or "",
            "flare": bool(data.get("flare")),
            "title": work["title"],
            "recipient": work["recipient"],
            "body": work["body"],
            "visibility": work["visibility"],
            "minutes": work["minutes"],
        }
        for name in kinds.QUESTIONS:
            if name in data:
                initial[name] = data[name]
        for category, lines in (data.get("pending") or {}).items():
            initial[f"add_{category}"] = "\n".join(lines)
        return initial


class ReleaseForm(PlainForm):
    gettext_lazy("""Write and release: the words are never part of this form.""")

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=Kind.choices, widget=forms.HiddenInput)
    exercise = forms.CharField(required=False, widget=forms.HiddenInput)
    minutes = forms.IntegerField(
        label=gettext_lazy("Minutes you wrote for (optional)"), required=False, min_value=0, max_value=1440
    )


class PrivacyForm(PlainForm):
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who can read this entry?"), choices=VISIBILITY_CHOICES, widget=forms.RadioSelect
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class SearchForm(forms.Form):
    """The journal's search box. A CharField refuses NUL characters (which PostgreSQL cannot
    compare) with a message instead of a 500; an unknown kind just means all kinds."""

    q = forms.CharField(required=False, max_length=200, error_messages={
        "max_length": gettext_lazy("Search for at most 200 characters."),
        "null_characters_not_allowed": gettext_lazy("Search words cannot contain that character."),
    })
    kind = forms.CharField(required=False)

    def clean_kind(self) -> str:
        kind = self.cleaned_data.get("kind") or ""
        return kind if kind in kinds.KINDS else ""


class StressorForm(PlainForm):
    category = forms.ChoiceField(choices=StressorItem.Category.choices, widget=forms.HiddenInput)
    text = WordsField(
        label=gettext_lazy("Add a stressor"),
        required=True,
        strip=True,
        max_length=MAX_STRESSOR_CHARS,
        error_messages={"required": gettext_lazy("Write a few words about the stressor first.")},
    )
