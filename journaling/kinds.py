"""Which journal entry kind an exercise opens (an exercise's prompt opens the right form)."""

from __future__ import annotations

from journaling.models import JournalEntry
from programs.models import ExerciseTemplate

EX = ExerciseTemplate.Kind
JK = JournalEntry.Kind

ENTRY_KIND_FOR_EXERCISE: dict[str, str] = {
    EX.EXPRESSIVE_WRITING: JK.FREE_WRITING,
    EX.UNSENT_LETTER: JK.UNSENT_LETTER,
    EX.STRESSOR_INVENTORY: JK.STRESSOR_INVENTORY,
    EX.SELF_AFFIRMATION: JK.AFFIRMATION,
    EX.SYMPTOM_EMOTION: JK.SYMPTOM_EMOTION,
    EX.ATTENTION_SHIFTING: JK.ATTENTION_SHIFTING,
}


def entry_kind_for(exercise: ExerciseTemplate) -> str | None:
    """The journal kind an exercise is written in, or None for non-writing exercises."""
    return ENTRY_KIND_FOR_EXERCISE.get(exercise.kind)
