"""Curricula: Program -> ProgramVersion (frozen once published) -> weeks, sessions and
exercise templates. Every write path to a published version's content is refused here, in
save(), delete() and the bulk querysets alike."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from recovery.uploads import validate_exercise_media

from ..i18n import TranslationsValidator, localized


class FrozenVersionError(ValidationError):
    """Raised by every write path that would change a published (or retired) version."""


WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def unix_newlines(value: Any) -> Any:
    """Text with LF line endings (other values as they are)."""
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def normalise_newlines(obj: models.Model) -> None:
    """Browsers post a textarea with CRLF line endings while YAML (and every other path) gives
    LF: store LF, so comparing two versions shows only the edits a person made."""
    for f in obj._meta.concrete_fields:
        if isinstance(f, models.CharField | models.TextField):
            setattr(obj, f.attname, unix_newlines(getattr(obj, f.attname)))
    if getattr(obj, "translations", {}) is None:
        obj.translations = {}  # type: ignore[attr-defined]  # an emptied admin box: none


def translations_field(section: str) -> models.JSONField:
    """Per language, text replacing a field ({"es": {"title": ...}}), frozen with the version
    like every other field: a translation is content (programs.i18n.localized reads it)."""
    return models.JSONField(
        default=dict, blank=True, validators=[TranslationsValidator(section)],
        help_text=gettext_lazy(
            'Per language, text that replaces a field, e.g. {"es": {"title": "..."}}; any '
            "field left out shows the original."
        ),
    )


class Program(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    source = models.TextField(blank=True, help_text=gettext_lazy("The seed document(s) this programme cites."))
    is_group = models.BooleanField(default=False, help_text=gettext_lazy("Delivered to cohorts."))
    requires_screening = models.BooleanField(
        default=False,
        help_text=gettext_lazy("A recorded screening decision is needed before a patient joins a group."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        normalise_newlines(self)
        super().save(*args, **kwargs)

    def latest_published(self) -> ProgramVersion | None:
        return (
            self.versions.filter(status=ProgramVersion.Status.PUBLISHED).order_by("-number").first()
        )


class ProgramVersionQuerySet(models.QuerySet):
    """Bulk writes cannot change or delete a frozen version either (services use save())."""

    def _check(self) -> None:
        if self.exclude(status="draft").exists():
            raise FrozenVersionError("A published or retired version cannot be changed or deleted.")

    def update(self, **kwargs: Any) -> int:
        self._check()
        return super().update(**kwargs)

    def delete(self) -> Any:
        self._check()
        return super().delete()


class ProgramVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft")
        PUBLISHED = "published", gettext_lazy("Published")
        RETIRED = "retired", gettext_lazy("Retired")

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(max_length=200, blank=True, help_text=gettext_lazy("Defaults to the programme's."))
    description = models.TextField(blank=True)
    source = models.TextField(blank=True, help_text=gettext_lazy("Citation of the seed document."))
    changelog = models.TextField(blank=True)
    translations = translations_field("version")
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgramVersionQuerySet.as_manager()

    class Meta:
        ordering = ["program", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="uniq_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.program.title} v{self.number} ({self.get_status_display()})"

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def display_title(self) -> str:
        return localized(self, "title") or self.program.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk:
            old = ProgramVersion.objects.filter(pk=self.pk).values("status").first()
            if old and old["status"] != self.Status.DRAFT:
                # Only the published -> retired transition is allowed on a frozen version.
                allowed = (
                    old["status"] == self.Status.PUBLISHED
                    and self.status == self.Status.RETIRED
                    and set(kwargs.get("update_fields") or ()) <= {"status"}
                )
                if not allowed:
                    raise FrozenVersionError(
                        f"Version {self.number} of {self.program} is {old['status']} and "
                        "cannot be changed; create a new draft from it instead."
                    )
        normalise_newlines(self)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_frozen:
            raise FrozenVersionError("A published or retired version cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def week_count(self) -> int:
        return self.weeks.count()


class VersionContentQuerySet(models.QuerySet):
    """Bulk writes go through here too: no bulk path edits a frozen version's content."""

    def _check(self) -> None:
        if self.filter(~Q(version__status=ProgramVersion.Status.DRAFT)).exists():
            raise FrozenVersionError("Content of a published version cannot be changed.")

    @staticmethod
    def _check_targets(version_ids: set[Any]) -> None:
        # Content may not be added to (or moved into) a frozen version either.
        ids = {v.pk if isinstance(v, ProgramVersion) else v for v in version_ids} - {None}
        if ProgramVersion.objects.filter(pk__in=ids).exclude(status="draft").exists():
            raise FrozenVersionError(
                "This version is published; create a new draft from it to make changes."
            )

    def update(self, **kwargs: Any) -> int:
        self._check()
        if "version" in kwargs or "version_id" in kwargs:
            self._check_targets({kwargs.get("version", kwargs.get("version_id"))})
        return super().update(**kwargs)

    def delete(self) -> Any:
        self._check()
        return super().delete()

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> Any:
        objs = list(objs)
        self._check_targets({obj.version_id for obj in objs})
        return super().bulk_create(objs, *args, **kwargs)


class VersionContent(models.Model):
    """Base for everything that belongs to one version and freezes with it."""

    version = models.ForeignKey(ProgramVersion, on_delete=models.CASCADE)
    objects = VersionContentQuerySet.as_manager()

    class Meta:
        abstract = True

    def _assert_editable(self) -> None:
        # Both the version it belongs to and, for a move, the one it leaves must be drafts.
        ids = {self.version_id}
        if self.pk:
            ids |= set(type(self)._base_manager.filter(pk=self.pk).values_list("version_id", flat=True))
        if ProgramVersion.objects.filter(pk__in=ids).exclude(status="draft").exists():
            raise FrozenVersionError(
                "This version is published; create a new draft from it to make changes."
            )

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._assert_editable()
        normalise_newlines(self)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self._assert_editable()
        return super().delete(*args, **kwargs)


class Week(VersionContent):
    version = models.ForeignKey(ProgramVersion, on_delete=models.CASCADE, related_name="weeks")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    goals = models.TextField(blank=True)
    education = models.TextField(blank=True, help_text=gettext_lazy("What the patient reads this week."))
    translations = translations_field("weeks")

    class Meta:
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="uniq_week")]

    def __str__(self) -> str:
        return f"Week {self.number}: {self.title}"


class Session(VersionContent):
    class Kind(models.TextChoices):
        INITIAL_CONSULTATION = "initial_consultation", gettext_lazy("Initial consultation")
        INDIVIDUAL = "individual", gettext_lazy("Individual session")
        GROUP = "group", gettext_lazy("Group session")
        RETREAT = "retreat", gettext_lazy("Retreat day")
        FOLLOW_UP = "follow_up", gettext_lazy("Follow-up consultation")

    # What a cohort meets for (one occurrence each); only a group programme may have them.
    GROUP_KINDS: ClassVar[tuple[str, ...]] = (Kind.GROUP, Kind.RETREAT)

    version = models.ForeignKey(ProgramVersion, on_delete=models.CASCADE, related_name="sessions")
    slug = models.SlugField(max_length=80)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=200)
    week = models.PositiveSmallIntegerField()
    day = models.PositiveSmallIntegerField(help_text=gettext_lazy("Programme day within the week, 1-7."))
    duration_minutes = models.PositiveIntegerField()
    agenda = models.TextField(blank=True)
    aims = models.TextField(blank=True)
    placeholder = models.BooleanField(
        default=False, help_text=gettext_lazy("Text written where the seed is silent; a clinic may replace it.")
    )
    order = models.PositiveSmallIntegerField(default=0)
    translations = translations_field("sessions")

    class Meta:
        ordering = ["version", "week", "day", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "slug"], name="uniq_session")]

    def __str__(self) -> str:
        return f"W{self.week}D{self.day} {self.title}"

    @property
    def is_group_meeting(self) -> bool:
        return self.kind in self.GROUP_KINDS


class ExerciseTemplate(VersionContent):
    class Kind(models.TextChoices):
        EXPRESSIVE_WRITING = "expressive_writing", gettext_lazy("Expressive writing about stressors")
        UNSENT_LETTER = "unsent_letter", gettext_lazy("Unsent letter")
        STRESSOR_INVENTORY = "stressor_inventory", gettext_lazy("Stressor inventory")
        SELF_AFFIRMATION = "self_affirmation", gettext_lazy("Self-affirmation")
        MEDITATION_AUDIO = "meditation_audio", gettext_lazy("Mindfulness meditation audio")
        READING = "reading", gettext_lazy("Reading")
        BREATHING_RELAXATION = "breathing_relaxation", gettext_lazy("Breathing / muscle relaxation")
        VISUALIZATION = "visualization", gettext_lazy("Visualization")
        GUIDED_IMAGERY = "guided_imagery", gettext_lazy("Guided imagery")
        ATTENTION_SHIFTING = "attention_shifting", gettext_lazy("Blocking then shifting attention (self-talk)")
        SYMPTOM_EMOTION = "symptom_emotion", gettext_lazy("Symptom-emotion connection")
        PHYSICAL_ACTIVITY = "physical_activity", gettext_lazy("Graded physical activity")
        EDUCATION = "education", gettext_lazy("Education")

    class Cadence(models.TextChoices):
        DAILY = "daily", gettext_lazy("Every day")
        WEEKDAYS = "weekdays", gettext_lazy("On given weekdays")
        TIMES_PER_WEEK = "times_per_week", gettext_lazy("N times a week")
        ONCE = "once", gettext_lazy("Once, on a given day")

    version = models.ForeignKey(ProgramVersion, on_delete=models.CASCADE, related_name="exercises")
    slug = models.SlugField(max_length=80)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=200)
    instructions = models.TextField()
    prompt = models.TextField(blank=True, help_text=gettext_lazy("Optional writing prompt."))
    # Audio or video only, recognised by its content (not its name), and size-limited.
    media_file = models.FileField(
        upload_to="exercise-media/", blank=True, validators=[validate_exercise_media]
    )
    media_url = models.URLField(blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(default=10)
    weeks = models.JSONField(default=list, help_text=gettext_lazy("Programme weeks it is active in, e.g. [1, 2]."))
    cadence = models.CharField(max_length=16, choices=Cadence.choices, default=Cadence.DAILY)
    weekdays = models.JSONField(
        default=list, blank=True, help_text=gettext_lazy("For 'given weekdays': 0=Monday ... 6=Sunday.")
    )
    times_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    once_week = models.PositiveSmallIntegerField(null=True, blank=True)
    once_day = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=gettext_lazy("For 'once': programme day 1-7 of once_week.")
    )
    rest_days = models.JSONField(
        default=list, blank=True, help_text=gettext_lazy("Weekdays with nothing due: 0=Monday ... 6=Sunday.")
    )
    placeholder = models.BooleanField(
        default=False, help_text=gettext_lazy("Text written where the seed is silent; a clinic may replace it.")
    )
    order = models.PositiveSmallIntegerField(default=0)
    translations = translations_field("exercises")

    class Meta:
        ordering = ["version", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "slug"], name="uniq_exercise")]

    def __str__(self) -> str:
        return self.title

    @property
    def media(self) -> str:
        return self.media_file.url if self.media_file else self.media_url

    @property
    def is_audio(self) -> bool:
        src = self.media.lower()
        return bool(src) and src.rsplit("?", 1)[0].endswith((".mp3", ".m4a", ".ogg", ".wav", ".oga"))
