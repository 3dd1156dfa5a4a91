"""Questionnaires: Instrument -> InstrumentVersion (frozen once published), the patients'
responses and the safety alerts a response opens.

Definitions are data (outcomes/instruments/*.yaml, loaded by `manage.py load_instruments`); the
scoring rules are code (`outcomes.scoring`), and a response stores its score plainly so that
dashboards and statistics can query it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.models import ProgramVersion
from programs.models.curricula import VersionContent

from .scoring import CODES, Score

# outcomes.schedule caches the instruments patients can answer now (Django's cache, shared by
# the processes); every write to an instrument or its versions forgets it (the signals at the
# end of this module, and the bulk paths below).
AVAILABLE_CACHE_KEY = "outcomes:available-instruments"


def forget_available() -> None:
    from django.core.cache import cache

    from recovery import freshness

    cache.delete(AVAILABLE_CACHE_KEY)
    freshness.touch_everyone()  # Today's questionnaire card, on every patient's cached page


class FrozenInstrumentError(ValidationError):
    """Raised by every write path that would change a published (or retired) version."""


class Instrument(models.Model):
    code = models.CharField(max_length=20, unique=True, help_text=gettext_lazy("The scoring code, e.g. PHQ-9."))
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    def current_version(self) -> InstrumentVersion | None:
        """The version patients answer: the newest published one that is enabled."""
        return (
            self.versions.filter(status=InstrumentVersion.Status.PUBLISHED, enabled=True)
            .order_by("-number")
            .first()
        )


class InstrumentVersionQuerySet(models.QuerySet):
    """Bulk writes cannot change or delete a frozen version either."""

    def update(self, **kwargs: Any) -> int:
        if set(kwargs) - InstrumentVersion.SWITCHES and self.exclude(status="draft").exists():
            raise FrozenInstrumentError("A published instrument version cannot be changed.")
        if kwargs.get("enabled") and self.filter(placeholder_text=True).exists():
            raise FrozenInstrumentError(InstrumentVersion.PLACEHOLDER_MESSAGE)
        updated = super().update(**kwargs)
        forget_available()
        return updated

    def delete(self) -> Any:
        if self.exclude(status="draft").exists():
            raise FrozenInstrumentError("A published instrument version cannot be deleted.")
        deleted = super().delete()
        forget_available()
        return deleted


class InstrumentVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft")
        PUBLISHED = "published", gettext_lazy("Published")
        RETIRED = "retired", gettext_lazy("Retired")

    class Licence(models.TextChoices):
        FREE = "free", gettext_lazy("Free to use and reproduce")
        LICENSED = "licensed", gettext_lazy("Used under the clinic's own licence")
        UNCLEAR = "unclear", gettext_lazy("Licence unclear for open-source distribution")

    # What may change on a frozen version: whether patients are offered it, and retirement.
    SWITCHES = frozenset({"enabled", "status"})
    PLACEHOLDER_MESSAGE = (
        "This version carries placeholder wording, not the licensed text, so it cannot be "
        "enabled; load a version with the licensed wording instead (see its licence note)."
    )

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(max_length=200, blank=True, help_text=gettext_lazy("Defaults to the instrument's."))
    language = models.CharField(max_length=16, default="en")
    instructions = models.TextField(blank=True, help_text=gettext_lazy("Shown before the items."))
    recall_period = models.CharField(max_length=100, blank=True)
    # [{"text": str, "options": [{"value": int, "label": str, "code": str}], "loinc": str}]
    items = models.JSONField(default=list)
    # Asked but not scored, e.g. PHQ-9's difficulty question: [{"key", "text", "options"...}]
    extra_questions = models.JSONField(default=list, blank=True)
    citation = models.TextField()
    licence = models.TextField(help_text=gettext_lazy("The copyright and licence statement, as published."))
    licence_status = models.CharField(max_length=16, choices=Licence.choices)
    licence_note = models.TextField(
        blank=True, help_text=gettext_lazy("Why this version ships as it does, and how a clinic enables it.")
    )
    placeholder_text = models.BooleanField(
        default=False, help_text=gettext_lazy("Items carry placeholder wording, not the published text.")
    )
    enabled = models.BooleanField(default=False, help_text=gettext_lazy("Offered to patients."))
    loinc_panel = models.CharField(max_length=20, blank=True)
    loinc_total = models.CharField(max_length=20, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InstrumentVersionQuerySet.as_manager()

    class Meta:
        ordering = ["instrument", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="uniq_instrument_version_number"
            ),
            # Patients never see placeholder wording.
            models.CheckConstraint(
                condition=~(Q(enabled=True) & Q(placeholder_text=True)),
                name="placeholder_never_enabled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.code} v{self.number} ({self.get_status_display()})"

    @property
    def code(self) -> str:
        return self.instrument.code

    @property
    def display_title(self) -> str:
        return self.title or self.instrument.title

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT

    def clean(self) -> None:
        if self.enabled and self.placeholder_text:
            raise ValidationError({"enabled": self.PLACEHOLDER_MESSAGE})

    def _changed_fields(self, old: InstrumentVersion) -> set[str]:
        names = {f.attname for f in self._meta.concrete_fields} - {"id"}
        return {n for n in names if getattr(old, n) != getattr(self, n)}

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.enabled and self.placeholder_text:
            raise FrozenInstrumentError(self.PLACEHOLDER_MESSAGE)
        if self.pk:
            old = type(self)._base_manager.filter(pk=self.pk).first()
            if old is not None and old.is_frozen:
                changed = self._changed_fields(old)
                back_to_draft = "status" in changed and self.status == self.Status.DRAFT
                if changed - self.SWITCHES or back_to_draft:
                    raise FrozenInstrumentError(
                        f"{old} is frozen: its wording, options and scoring never change. "
                        "Load a new version number instead."
                    )
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_frozen:
            raise FrozenInstrumentError("A published instrument version cannot be deleted.")
        return super().delete(*args, **kwargs)


class QuestionnaireResponse(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft")
        SUBMITTED = "submitted", gettext_lazy("Submitted")

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="questionnaire_responses"
    )
    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="responses"
    )
    local_date = models.DateField(help_text=gettext_lazy("The patient's local date when answered."))
    answers = models.JSONField(default=list, blank=True, help_text=gettext_lazy("In item order; null = blank."))
    extra_answers = models.JSONField(default=dict, blank=True, help_text=gettext_lazy("Unscored questions."))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # The score, stored plainly for queries (set on submission by outcomes.scoring).
    score = models.FloatField(null=True, blank=True, help_text=gettext_lazy("Total (PEG-3: the mean)."))
    band = models.CharField(max_length=64, blank=True)
    subscales = models.JSONField(default=dict, blank=True)
    valid = models.BooleanField(default=False)
    missing = models.PositiveSmallIntegerField(default=0)
    prorated = models.BooleanField(default=False)
    safety = models.BooleanField(default=False, help_text=gettext_lazy("The safety item was answered above 0."))
    # Sent by the answering page with every save, so a retried submission finds its row.
    client_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-local_date", "-created_at"]
        indexes = [models.Index(fields=["patient", "version", "status", "local_date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "client_id"], name="uniq_response_client_id"
            ),
            # One half-answered draft per patient and instrument version, kept between visits.
            models.UniqueConstraint(
                fields=["patient", "version"], condition=Q(status="draft"),
                name="one_draft_per_patient_version",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="submitted_response_has_time",
            ),
            models.CheckConstraint(
                condition=Q(valid=False) | Q(score__isnull=False), name="valid_response_has_score"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version.instrument.code} of {self.patient} on {self.local_date}"

    def apply_score(self, result: Score) -> None:
        """Copy a scoring result onto the row (the caller saves)."""
        self.score = None if result.total is None else float(result.total)
        self.band = result.band or ""
        self.subscales = dict(result.subscales)
        self.valid = result.valid
        self.missing = result.missing
        self.prorated = result.prorated
        self.safety = result.safety


class SafetyAlert(models.Model):
    """Opened when a response raises the safety flag; a clinician acknowledges it."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safety_alerts"
    )
    response = models.ForeignKey(
        QuestionnaireResponse, on_delete=models.CASCADE, related_name="safety_alerts"
    )
    reason = models.CharField(max_length=300)
    opened_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="acknowledged_alerts",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            # However often a submission is retried, one response opens one alert at a time.
            models.UniqueConstraint(
                fields=["response"], condition=Q(acknowledged_at__isnull=True),
                name="one_open_alert_per_response",
            ),
        ]

    def __str__(self) -> str:
        state = "open" if self.is_open else "acknowledged"
        return f"Safety alert for {self.patient} ({state})"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None

    def acknowledge(self, user: Any, note: str = "") -> None:
        if not self.is_open:
            return
        self.acknowledged_by = user
        self.acknowledged_at = timezone.now()
        self.acknowledgement_note = note
        self.save(update_fields=["acknowledged_by", "acknowledged_at", "acknowledgement_note"])


class QuestionnaireSchedule(VersionContent):
    """When a programme version asks for a questionnaire. It belongs to the version and freezes
    with it like its weeks and exercises (VersionContent refuses edits to a published version);
    outcomes.schedule turns it into dated slots for each enrolment."""

    class When(models.TextChoices):
        BASELINE = "baseline", gettext_lazy("Baseline (before or on day 1)")
        WEEKLY = "weekly", gettext_lazy("Every programme week")
        WEEK = "week", gettext_lazy("At a given week")
        END = "end", gettext_lazy("End of programme")
        FOLLOW_UP = "follow_up", gettext_lazy("Months after the end")

    version = models.ForeignKey(
        ProgramVersion, on_delete=models.CASCADE, related_name="questionnaire_schedules"
    )
    instrument = models.CharField(
        max_length=20, choices=[(c, c) for c in CODES], help_text=gettext_lazy("The instrument's code.")
    )
    when = models.CharField(max_length=16, choices=When.choices)
    week = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=gettext_lazy("For “at a given week”: the week counted from day 1.")
    )
    months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=gettext_lazy("For follow-ups: months after the programme ended.")
    )
    window_days = models.PositiveSmallIntegerField(
        default=7, help_text=gettext_lazy("Days it stays due before it counts as missed.")
    )

    class Meta:
        ordering = ["version", "instrument", "when", "week", "months"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(when="week") & Q(week__gte=1)) | (~Q(when="week") & Q(week=None)),
                name="schedule_week_only_for_week",
            ),
            models.CheckConstraint(
                condition=(Q(when="follow_up") & Q(months__gte=1))
                | (~Q(when="follow_up") & Q(months=None)),
                name="schedule_months_only_for_follow_up",
            ),
            models.CheckConstraint(condition=Q(window_days__gte=1), name="schedule_window_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument}: {self.label}"

    @property
    def label(self) -> str:
        if self.when == self.When.WEEK:
            return f"week {self.week}"
        if self.when == self.When.FOLLOW_UP:
            return f"{self.months} months after the end"
        return str(self.When(self.when).label).split(" (")[0].lower()

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.when == self.When.WEEK and not self.week:
            errors["week"] = _("Give the week (1 is the first week of the programme).")
        if self.when != self.When.WEEK and self.week is not None:
            errors["week"] = _("Only “at a given week” takes a week; leave it empty.")
        if self.when == self.When.FOLLOW_UP and not self.months:
            errors["months"] = _("Give the months after the end, e.g. 3, 6 or 12.")
        if self.when != self.When.FOLLOW_UP and self.months is not None:
            errors["months"] = _("Only a follow-up takes months; leave it empty.")
        if errors:
            raise ValidationError(errors)


def _forget_available(**kwargs: Any) -> None:
    forget_available()


for _model in (Instrument, InstrumentVersion):
    models.signals.post_save.connect(_forget_available, sender=_model, dispatch_uid=f"available-{_model.__name__}")
    models.signals.post_delete.connect(_forget_available, sender=_model, dispatch_uid=f"available-del-{_model.__name__}")
