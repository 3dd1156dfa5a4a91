"""The one registry of journal entry kinds: what each kind asks, how its answers are named,
what a save requires, which exercise opens it and which of its words a search looks in.

The entry form builds its fields from here, `journaling.entries` validates, searches, shows
and previews with it, and the views hand it to the templates: adding a kind, or a question
to a kind, is one edit here (plus its label in `JournalEntry.Kind`, which migrations need).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

from journaling.models import EMOTIONS, JournalEntry, StressorItem
from programs.models import ExerciseTemplate

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # dev-only package: typing only

EX = ExerciseTemplate.Kind
JK = JournalEntry.Kind

# The longest text a single field may hold; the form counts, the server refuses beyond it.
MAX_WORDS_CHARS = 100_000
MAX_LINE_CHARS = 200

EMOTION_LABELS = dict(EMOTIONS)
CATEGORY_LABELS = dict(StressorItem.Category.choices)


@dataclass(frozen=True)
class Question:
    """One structured answer of a kind, stored in `entry.data[name]`.

    `type`: "line" (one short line), "text" (several lines), "scale" (0-10) or "emotions"
    (the feelings of seed 000). `display` is how the entry page and the care team name it.
    """

    name: str
    label: StrOrPromise
    display: StrOrPromise
    type: str = "text"
    help: StrOrPromise = ""
    rows: int = 4

    @property
    def is_words(self) -> bool:
        return self.type in ("line", "text")


@dataclass(frozen=True)
class Requirement:
    """What a final save needs: at least one of `fields` filled, else `message` (on `on`,
    or on the whole form when `on` is empty)."""

    fields: tuple[str, ...]
    message: StrOrPromise
    on: str = ""


@dataclass(frozen=True)
class EntryKind:
    value: str
    info: StrOrPromise
    columns: tuple[str, ...] = ("title", "body")  # which of title/recipient/body it uses
    questions: tuple[Question, ...] = ()
    body_help: StrOrPromise = ""
    required: tuple[Requirement, ...] = ()
    exercise_kinds: tuple[str, ...] = ()
    stressors: bool = False  # grows the stressor inventory (lines to add, per category)

    @property
    def label(self) -> str:
        return str(JK(self.value).label)

    @property
    def question_names(self) -> tuple[str, ...]:
        return tuple(q.name for q in self.questions)

    @property
    def search_keys(self) -> tuple[str, ...]:
        """Where a search looks: its text columns, its worded answers, and for the stressor
        inventory the lines it added (what its card shows)."""
        keys = tuple(c for c in self.columns) + tuple(q.name for q in self.questions if q.is_words)
        return keys + (("added", "pending") if self.stressors else ())


BODY_REQUIRED = Requirement(
    ("body",), gettext_lazy("Write something before saving — even one line is enough."), on="body"
)

SYMPTOM_EMOTION_QUESTIONS = (
    Question("when", gettext_lazy("When did the symptom come?"), gettext_lazy("When"), "line",
             help=gettext_lazy("For example: “this morning, after the phone call”.")),
    Question("where", gettext_lazy("Where were you, and where did you feel it?"), gettext_lazy("Where"), "line"),
    Question("intensity", gettext_lazy("Intensity (0 = none, 10 = the worst)"), gettext_lazy("Intensity (0-10)"), "scale"),
    Question("happening", gettext_lazy("What was happening?"), gettext_lazy("What was happening")),
    Question("emotions", gettext_lazy("What were you feeling?"), gettext_lazy("Feelings"), "emotions"),
    Question("thoughts", gettext_lazy("Thoughts"), gettext_lazy("Thoughts"),
             help=gettext_lazy("“My back hurts. Something's going on. How am I feeling?”")),
)
ATTENTION_QUESTIONS = (
    Question("symptom", gettext_lazy("What was the symptom?"), gettext_lazy("The symptom"), rows=3),
    Question("told_myself", gettext_lazy("What did you tell yourself?"), gettext_lazy("What I told myself"),
             help=gettext_lazy("For example: “This is TMS, not damage. I am safe.”")),
    Question("shifted_to", gettext_lazy("What did you shift your attention to?"),
             gettext_lazy("What I shifted my attention to"), rows=3),
    Question("how_it_went", gettext_lazy("How did it go?"), gettext_lazy("How it went"), rows=3),
)

KINDS: dict[str, EntryKind] = {
    k.value: k
    for k in (
        EntryKind(
            JK.FREE_WRITING,
            info=gettext_lazy("Write about what is bothering you, today or long ago."),
            body_help=gettext_lazy("Write freely about what is bothering you: no one grades it."),
            required=(BODY_REQUIRED,),
            exercise_kinds=(EX.EXPRESSIVE_WRITING,),
        ),
        EntryKind(
            JK.UNSENT_LETTER,
            info=gettext_lazy("Say what you could never say to someone. The letter is never sent."),
            columns=("title", "recipient", "body"),
            body_help=gettext_lazy("Say everything you could never say. The letter is never sent."),
            required=(
                BODY_REQUIRED,
                Requirement(("recipient",), gettext_lazy("Say who the letter is to — a name, or “my younger "
                            "self”, is enough."), on="recipient"),
            ),
            exercise_kinds=(EX.UNSENT_LETTER,),
        ),
        EntryKind(
            JK.STRESSOR_INVENTORY,
            info=gettext_lazy("Grow your list of stressors: childhood, personality, current pressures, "
            "ageing and mortality."),
            body_help=gettext_lazy("Optional: anything you noticed while making the list."),
            required=(Requirement(
                ("body", *(f"add_{c}" for c in StressorItem.Category.values)),
                gettext_lazy("Add at least one stressor to a category, or write a few words."),
            ),),
            exercise_kinds=(EX.STRESSOR_INVENTORY,),
            stressors=True,
        ),
        EntryKind(
            JK.AFFIRMATION,
            info=gettext_lazy("A few kind, true words to yourself for today."),
            body_help=gettext_lazy("For example: “My body is strong and healthy. The pain is real, and it "
            "is not damage.”"),
            required=(BODY_REQUIRED,),
            exercise_kinds=(EX.SELF_AFFIRMATION,),
        ),
        EntryKind(
            JK.SYMPTOM_EMOTION,
            info=gettext_lazy("A symptom came: what was happening, and what were you feeling?"),
            columns=("title",),
            questions=SYMPTOM_EMOTION_QUESTIONS,
            required=(Requirement(
                tuple(q.name for q in SYMPTOM_EMOTION_QUESTIONS),
                gettext_lazy("Fill in at least what was happening or what you were feeling."),
            ),),
            exercise_kinds=(EX.SYMPTOM_EMOTION,),
        ),
        EntryKind(
            JK.ATTENTION_SHIFTING,
            info=gettext_lazy("How you blocked the symptom thought, then shifted your attention."),
            columns=("title",),
            questions=ATTENTION_QUESTIONS,
            required=(Requirement(
                tuple(q.name for q in ATTENTION_QUESTIONS),
                gettext_lazy("Fill in at least one of the questions before saving."),
            ),),
            exercise_kinds=(EX.ATTENTION_SHIFTING,),
        ),
    )
}
if set(KINDS) != set(JK.values):  # pragma: no cover - a programming error, caught at import
    raise RuntimeError("every JournalEntry.Kind needs its registry entry")

# Every structured answer of every kind, by name (the names are unique across kinds).
QUESTIONS: dict[str, Question] = {q.name: q for k in KINDS.values() for q in k.questions}
WORDED_ANSWERS: tuple[str, ...] = tuple(n for n, q in QUESTIONS.items() if q.is_words)


def get(kind: str) -> EntryKind:
    """The kind's registry entry (KeyError for an unknown kind: check `kind in KINDS`)."""
    return KINDS[kind]


def choices() -> list[tuple[str, str, str]]:
    """(value, label, what it is for), in the order a patient is offered them."""
    return [(k.value, k.label, str(k.info)) for k in KINDS.values()]


ENTRY_KIND_FOR_EXERCISE: dict[str, str] = {
    ex_kind: k.value for k in KINDS.values() for ex_kind in k.exercise_kinds
}


def entry_kind_for(exercise: ExerciseTemplate) -> str | None:
    """The journal kind an exercise is written in, or None for non-writing exercises."""
    return ENTRY_KIND_FOR_EXERCISE.get(exercise.kind)


def display_value(name: str, value: object) -> str:
    """An answer as plain text for a reader (feelings by their labels)."""
    if name == "emotions" and isinstance(value, list):
        return ", ".join(str(EMOTION_LABELS.get(v, v)) for v in value)
    return str(value)

