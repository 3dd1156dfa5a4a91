"""Forms of the journal: one entry form whose fields follow the entry's kind, the release
form (which carries no words by construction), privacy, and the stressor inventory."""

from __future__ import annotations

from typing import Any

from django import forms

from programs.models import ExerciseTemplate
from recovery.models import User

from .models import EMOTIONS, JournalEntry, StressorItem

Kind = JournalEntry.Kind
Visibility = JournalEntry.Visibility

MAX_WORDS_CHARS = 100_000

VISIBILITY_CHOICES = [
    (Visibility.PRIVATE, "Private"),
    (Visibility.CARE_TEAM, "Share with my care team"),
    (Visibility.RELEASED, "Write and release"),
]
VISIBILITY_HELP: dict[str, str] = {
    Visibility.PRIVATE: "Only you can ever read it.",
    Visibility.CARE_TEAM: "Your clinician and care team can read it once you save it.",
    Visibility.RELEASED: "Your words stay on this device and are discarded when you press "
    "Release. Only the fact that you wrote (the kind of entry and the minutes) is recorded.",
}

SYMPTOM_FIELDS = ("when", "where", "intensity", "happening", "emotions", "thoughts")
ATTENTION_FIELDS = ("symptom", "told_myself", "shifted_to", "how_it_went")
STRESSOR_FIELDS = tuple(f"add_{value}" for value in StressorItem.Category.values)
BODY_KINDS = (Kind.FREE_WRITING, Kind.UNSENT_LETTER, Kind.STRESSOR_INVENTORY, Kind.AFFIRMATION)

BODY_HELP: dict[str, str] = {
    Kind.FREE_WRITING: "Write freely about what is bothering you: no one grades it.",
    Kind.UNSENT_LETTER: "Say everything you could never say. The letter is never sent.",
    Kind.STRESSOR_INVENTORY: "Optional: anything you noticed while making the list.",
    Kind.AFFIRMATION: "For example: “My body is strong and healthy. The pain is real, and it is "
    "not damage.”",
}


class WordsField(forms.CharField):
    """Free text kept exactly as written (no stripping), with one newline convention so the
    same words typed in two browsers compare equal."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = str(super().to_python(value) or "")
        return text.replace("\r\n", "\n").replace("\r", "\n")


def _area(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def exercise_for(patient: User, exercise_id: Any) -> ExerciseTemplate | None:
    """The exercise, only if it belongs to the version of one of the patient's enrolments."""
    try:
        pk = int(exercise_id)
    except (TypeError, ValueError):
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
    base_revision = forms.IntegerField(min_value=0, initial=0, widget=forms.HiddenInput)
    editor_id = forms.CharField(max_length=36, required=False, widget=forms.HiddenInput)
    editor_seq = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=Kind.choices, widget=forms.HiddenInput)
    exercise = forms.CharField(required=False, widget=forms.HiddenInput)
    flare = forms.BooleanField(required=False, widget=forms.HiddenInput)

    title = WordsField(label="Title", max_length=200)
    recipient = WordsField(
        label="To whom",
        max_length=200,
        help_text="A person, a group, your body, your younger self…",
    )
    body = WordsField(label="Your words", max_length=MAX_WORDS_CHARS, widget=_area(12))

    # Symptom-emotion connection (seed 000).
    when = WordsField(label="When did the symptom come?", max_length=200,
                      help_text="For example: “this morning, after the phone call”.")
    where = WordsField(label="Where were you, and where did you feel it?", max_length=200)
    intensity = forms.IntegerField(
        label="Intensity (0 = none, 10 = the worst)",
        required=False,
        min_value=0,
        max_value=10,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": "Intensity is a number from 0 (none) to 10 (the worst).",
            "max_value": "Intensity is a number from 0 (none) to 10 (the worst).",
            "invalid": "Intensity is a number from 0 (none) to 10 (the worst).",
        },
    )
    happening = WordsField(label="What was happening?", max_length=MAX_WORDS_CHARS, widget=_area())
    emotions = forms.MultipleChoiceField(
        label="What were you feeling?",
        choices=EMOTIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    thoughts = WordsField(label="Thoughts", max_length=MAX_WORDS_CHARS, widget=_area(),
                          help_text="“My back hurts. Something's going on. How am I feeling?”")

    # Blocking, then shifting attention (seed 002).
    symptom = WordsField(label="What was the symptom?", max_length=MAX_WORDS_CHARS, widget=_area(3))
    told_myself = WordsField(label="What did you tell yourself?", max_length=MAX_WORDS_CHARS,
                             widget=_area(),
                             help_text="For example: “This is TMS, not damage. I am safe.”")
    shifted_to = WordsField(label="What did you shift your attention to?",
                            max_length=MAX_WORDS_CHARS, widget=_area(3))
    how_it_went = WordsField(label="How did it go?", max_length=MAX_WORDS_CHARS, widget=_area(3))

    visibility = forms.ChoiceField(
        label="Who can read this entry?",
        choices=VISIBILITY_CHOICES,
        initial=Visibility.PRIVATE,
        widget=forms.RadioSelect,
    )
    minutes = forms.IntegerField(
        label="Minutes spent writing (optional)",
        required=False,
        min_value=0,
        max_value=1440,
        error_messages={"max_value": "Minutes: at most 1440 (a whole day)."},
    )

    def __init__(self, *args: Any, patient: User, kind: str, autosave: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.entry_kind = kind
        self.autosave = autosave
        for value, label in StressorItem.Category.choices:
            self.fields[f"add_{value}"] = WordsField(
                label=f"Add to “{label}”",
                max_length=5000,
                widget=_area(3),
                help_text="One stressor a line.",
            )
        keep = {"client_id", "base_revision", "editor_id", "editor_seq", "kind", "exercise",
                "flare", "title", "visibility", "minutes"}
        if kind in BODY_KINDS:
            keep.add("body")
            self.fields["body"].help_text = BODY_HELP.get(kind, "")
        if kind == Kind.UNSENT_LETTER:
            keep.add("recipient")
        if kind == Kind.SYMPTOM_EMOTION:
            keep.update(SYMPTOM_FIELDS)
        if kind == Kind.ATTENTION_SHIFTING:
            keep.update(ATTENTION_FIELDS)
        if kind == Kind.STRESSOR_INVENTORY:
            keep.update(STRESSOR_FIELDS)
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if autosave:
            # Autosave keeps what it can; only the final save insists.
            self.fields["visibility"].required = False

    # -- grouping for the template -------------------------------------------------------

    def kind_fields(self) -> list[forms.BoundField]:
        names = SYMPTOM_FIELDS + ATTENTION_FIELDS + STRESSOR_FIELDS
        return [self[name] for name in names if name in self.fields]

    # -- validation ----------------------------------------------------------------------

    def clean_kind(self) -> str:
        kind = self.cleaned_data["kind"]
        if kind != self.entry_kind:
            raise forms.ValidationError("The kind of an entry cannot change.")
        return str(kind)

    def clean_exercise(self) -> ExerciseTemplate | None:
        return exercise_for(self.patient, self.cleaned_data.get("exercise"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.autosave or data.get("visibility") == Visibility.RELEASED:
            return data
        kind = self.entry_kind

        def filled(*names: str) -> bool:
            return any(str(data.get(n) or "").strip() or data.get(n) == 0 for n in names)

        if kind in (Kind.FREE_WRITING, Kind.AFFIRMATION, Kind.UNSENT_LETTER) and not filled("body"):
            self.add_error("body", "Write something before saving — even one line is enough.")
        if kind == Kind.UNSENT_LETTER and not filled("recipient"):
            self.add_error(
                "recipient", "Say who the letter is to — a name, or “my younger self”, is enough."
            )
        if kind == Kind.STRESSOR_INVENTORY and not filled("body", *STRESSOR_FIELDS):
            self.add_error(None, "Add at least one stressor to a category, or write a few words.")
        if kind == Kind.SYMPTOM_EMOTION and not (
            filled(*[f for f in SYMPTOM_FIELDS if f != "emotions"]) or data.get("emotions")
        ):
            self.add_error(None, "Fill in at least what was happening or what you were feeling.")
        if kind == Kind.ATTENTION_SHIFTING and not filled(*ATTENTION_FIELDS):
            self.add_error(None, "Fill in at least one of the questions before saving.")
        return data

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
        for name in SYMPTOM_FIELDS + ATTENTION_FIELDS:
            if name in self.fields and cd.get(name) not in (None, "", []):
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
        initial: dict[str, Any] = {
            "client_id": entry.client_id,
            "base_revision": entry.revision,
            "kind": entry.kind,
            "exercise": entry.exercise_id or "",
            "flare": bool(entry.data.get("flare")),
            "title": entry.title,
            "recipient": entry.recipient,
            "body": entry.body,
            "visibility": entry.visibility,
            "minutes": entry.minutes,
        }
        for name in SYMPTOM_FIELDS + ATTENTION_FIELDS:
            if name in entry.data:
                initial[name] = entry.data[name]
        for category, lines in (entry.data.get("pending") or {}).items():
            initial[f"add_{category}"] = "\n".join(lines)
        return initial


class ReleaseForm(PlainForm):
    """Write and release: the words are never part of this form."""

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=Kind.choices, widget=forms.HiddenInput)
    exercise = forms.CharField(required=False, widget=forms.HiddenInput)
    minutes = forms.IntegerField(
        label="Minutes you wrote for (optional)", required=False, min_value=0, max_value=1440
    )


class PrivacyForm(PlainForm):
    visibility = forms.ChoiceField(
        label="Who can read this entry?", choices=VISIBILITY_CHOICES, widget=forms.RadioSelect
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class StressorForm(PlainForm):
    category = forms.ChoiceField(choices=StressorItem.Category.choices, widget=forms.HiddenInput)
    text = forms.CharField(
        label="Add a stressor",
        max_length=500,
        error_messages={"required": "Write a few words about the stressor first."},
    )
