"""What a patient writes and logs: check-ins, exercise completions, journal entries,
the stressor inventory. Every row is keyed by the patient's *local* date."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recovery.crypto import (
    EncryptedCharField,
    EncryptedJSONField,
    EncryptedTextField,
    blind_index,
    blind_indexes,
)

EMOTIONS = [
    ("anger", gettext_lazy("Anger")),
    ("guilt", gettext_lazy("Guilt")),
    ("helplessness", gettext_lazy("Helplessness")),
    ("dependency", gettext_lazy("Dependency")),
    ("sadness", gettext_lazy("Sadness")),
    ("fear", gettext_lazy("Fear")),
    ("not_good_enough", gettext_lazy("“Not good enough”")),
    ("shame", gettext_lazy("Shame")),
    ("anxiety", gettext_lazy("Anxiety / worry")),
    ("resentment", gettext_lazy("Resentment")),
]


def _score_range(field: str) -> models.CheckConstraint:
    # Unset (NULL) or a whole number from 0 to 10.
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0, f"{field}__lte": 10}),
        name=f"checkin_{field}_0_10",
    )


class CheckIn(models.Model):
    """The patient's one check-in of a local day. Each score is the patient's own choice or
    nothing: a measure they did not answer stays empty (never a default such as 5), and at
    least one of the three is answered."""

    SCORES = (("pain", gettext_lazy("Pain")), ("stress", gettext_lazy("Stress")), ("mood", gettext_lazy("Mood")))

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins"
    )
    local_date = models.DateField()
    pain = models.PositiveSmallIntegerField(null=True, blank=True)
    stress = models.PositiveSmallIntegerField(null=True, blank=True)
    mood = models.PositiveSmallIntegerField(null=True, blank=True)
    note = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-local_date"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "local_date"], name="one_checkin_per_day"),
            _score_range("pain"),
            _score_range("stress"),
            _score_range("mood"),
            models.CheckConstraint(
                condition=Q(pain__isnull=False) | Q(stress__isnull=False) | Q(mood__isnull=False),
                name="checkin_has_a_score",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.local_date}: {self.scores_text()}"

    def scores_text(self) -> str:
        """"pain 4, mood 6": the scores the patient gave, in words, leaving out unset ones."""
        given = [f"{str(label).lower()} {getattr(self, name)}" for name, label in self.SCORES
                 if getattr(self, name) is not None]
        return ", ".join(given) or _("no scores")


class ExerciseCompletion(models.Model):
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="completions"
    )
    enrolment = models.ForeignKey(
        "programs.Enrolment", on_delete=models.CASCADE, related_name="completions"
    )
    exercise = models.ForeignKey(
        "programs.ExerciseTemplate", on_delete=models.PROTECT, related_name="completions"
    )
    local_date = models.DateField()
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    note = EncryptedTextField(blank=True)
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-local_date", "-completed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "exercise", "local_date"], name="one_completion_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.local_date}: {self.exercise}"


class JournalEntryQuerySet(models.QuerySet["JournalEntry"]):
    def shared(self) -> JournalEntryQuerySet:
        """What a care team may read of a journal: saved entries the patient shared. Never
        private entries, never drafts (even of an entry marked to share), never released ones."""
        return self.filter(
            visibility=JournalEntry.Visibility.CARE_TEAM, status=JournalEntry.Status.SAVED
        )


class JournalEntry(models.Model):
    class Kind(models.TextChoices):
        FREE_WRITING = "free_writing", gettext_lazy("Free writing")
        UNSENT_LETTER = "unsent_letter", gettext_lazy("Unsent letter")
        STRESSOR_INVENTORY = "stressor_inventory", gettext_lazy("Stressor inventory")
        AFFIRMATION = "affirmation", gettext_lazy("Self-affirmation")
        SYMPTOM_EMOTION = "symptom_emotion", gettext_lazy("Symptom-emotion connection")
        ATTENTION_SHIFTING = "attention_shifting", gettext_lazy("Blocking then shifting attention")

    class Visibility(models.TextChoices):
        PRIVATE = "private", gettext_lazy("Private — only I can read it")
        CARE_TEAM = "care_team", gettext_lazy("Shared with my care team")
        RELEASED = "released", gettext_lazy("Write and release — the text is never saved")

    class Status(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft")
        SAVED = "saved", gettext_lazy("Saved")

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_entries"
    )
    # Chosen by the browser before the first save: a retried or double-clicked first save
    # finds the same row instead of creating a second entry.
    client_id = models.UUIDField(default=uuid.uuid4, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.FREE_WRITING)
    # The words are encrypted at rest (recovery.crypto); kind, dates, visibility stay plain.
    title = EncryptedCharField(max_length=200, blank=True)
    recipient = EncryptedCharField(max_length=200, blank=True, help_text=gettext_lazy("For an unsent letter."))
    body = EncryptedTextField(blank=True)
    data = EncryptedJSONField(
        default=dict, blank=True, help_text=gettext_lazy("Structured fields of the kind.")
    )
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    # Incremented by every save; a save based on an older revision is a conflict.
    revision = models.PositiveIntegerField(default=1)
    # Which open form (one per page load) wrote the last revision, and its change counter:
    # a request whose response was lost is retried by the same form and is not a conflict,
    # and an out-of-order request from that form never overwrites its newer words.
    editor_id = models.CharField(max_length=36, blank=True, editable=False)
    editor_seq = models.PositiveBigIntegerField(default=0, editable=False)
    # Autosaves of a *saved* entry land here (the content fields, as journaling.entries
    # writes them), not in the fields above: the care team reads the entry as last saved,
    # never a half-written edit. "Save entry" promotes them; None when there are none.
    unsaved_edits = EncryptedJSONField(null=True, blank=True, editable=False)
    exercise = models.ForeignKey(
        "programs.ExerciseTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="journal_entries",
    )
    local_date = models.DateField()
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    shared_at = models.DateTimeField(null=True, blank=True)

    objects = JournalEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-local_date", "-created_at"]
        indexes = [models.Index(fields=["patient", "visibility", "-local_date"])]
        constraints = [
            # Write-and-release keeps no words on the server, by construction.
            models.CheckConstraint(
                condition=~Q(visibility="released")
                | (Q(body="") & Q(recipient="") & Q(unsaved_edits__isnull=True)),
                name="released_entries_keep_no_text",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.local_date}"

    @property
    def is_shared(self) -> bool:
        return self.visibility == self.Visibility.CARE_TEAM and self.status == self.Status.SAVED


class StressorItemQuerySet(models.QuerySet["StressorItem"]):
    def same_line(self, text: str) -> StressorItemQuerySet:
        """Items holding `text`, regardless of case, found by their blind index (the text
        itself is encrypted): under any configured key, so rows not yet rotated match too."""
        return self.filter(text_index__in=blind_indexes(text))


class StressorItem(models.Model):
    """One line of the stressor inventory, which the patient grows over weeks (Sarno)."""

    class Category(models.TextChoices):
        CHILDHOOD = "childhood", gettext_lazy("Childhood")
        PERSONALITY = "personality", gettext_lazy("Personality traits (perfectionism, “goodism”)")
        CURRENT = "current", gettext_lazy("Current life pressures")
        AGEING = "ageing", gettext_lazy("Ageing and mortality")

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stressors"
    )
    category = models.CharField(max_length=16, choices=Category.choices)
    text = EncryptedCharField(max_length=500)
    # A keyed hash of the line regardless of case (recovery.crypto.blind_index), set on save:
    # what the one-line-per-category constraint compares, since the text is encrypted.
    text_index = models.CharField(max_length=64, editable=False)
    local_date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = StressorItemQuerySet.as_manager()
    # (text field, index field): rotate_field_keys recomputes the index with the newest key.
    BLIND_INDEX = ("text", "text_index")

    class Meta:
        ordering = ["category", "created_at"]
        constraints = [
            # The same line twice in a category is one stressor, even when two identical
            # posts race (journaling.entries.add_stressor relies on it).
            models.UniqueConstraint(
                fields=["patient", "category", "text_index"], name="one_stressor_per_line"
            )
        ]

    def __str__(self) -> str:
        return self.text

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.text_index = blind_index(self.text)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "text" in update_fields:
            kwargs["update_fields"] = {*update_fields, "text_index"}
        super().save(*args, **kwargs)
