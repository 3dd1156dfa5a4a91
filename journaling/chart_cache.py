"""History's charts, drawn once and kept in Django's cache until what they show changes.

Drawing a pygal chart costs far more than the queries behind it (issue 12: 61% of History
with a year of data), and a patient opens History much more often than their data changes.
Each chart is cached under a key made of everything it is drawn from:

- every chart: the active language (labels and summaries are text);
- the trend chart: the patient, the period (first and last local date) and the check-ins'
  version in that period (how many, and the latest `updated_at`: a new, edited or deleted
  check-in changes it);
- a programme's adherence chart: the patient, the enrolment with its status fields and dates
  (what `plan_for` reads), the local date (a week "so far" grows every day), the version of
  its completions (how many, the newest id) and its pauses' dates.

The versions come from one cheap query per chart family (aggregates over indexed rows), so a
cached History costs a fixed number of queries and no drawing, whatever the data size. A
stale entry is never read once its inputs change: its key is simply no longer asked for; it
expires after a day, and today's date is in every key anyway.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet
from django.utils import translation

from journaling import charts, progress
from journaling.charts import ScorePoint, WeekAdherence
from journaling.models import CheckIn, ExerciseCompletion
from programs.models import Enrolment, EnrolmentPause
from programs.schedule import prefetch_for_plan
from recovery.models import User

# Bump when a chart's drawing or summary changes: entries drawn by older code are not read.
CACHE_VERSION = 1
TIMEOUT = 24 * 60 * 60


@dataclass(frozen=True)
class TrendBlock:
    svg: str
    summary: list[str]
    points: list[ScorePoint]


@dataclass(frozen=True)
class AdherenceBlock:
    svg: str
    summary: str
    weeks: list[WeekAdherence]


def _key(*parts: object) -> str:
    # The language too: labels and summaries are translated text.
    language = translation.get_language() or "-"
    return ":".join(["history", f"v{CACHE_VERSION}", language, *(str(p) for p in parts)])


def started_programmes(patient: User, today: dt.date) -> QuerySet[Enrolment]:
    """The programmes `patient` has started by `today`, newest first. 1 query."""
    return (
        Enrolment.objects.filter(patient=patient, start_date__lte=today)
        .select_related("version__program")
        .order_by("-start_date", "-pk")
    )


def _programme_version(patient: User, enrolment: Enrolment) -> tuple[object, ...]:
    """What an adherence chart is drawn from besides the enrolment row: its completions (how
    many, the newest id) and its pauses (every one's dates: a programme has a few at most).
    2 small queries on that enrolment's rows; plain aggregates (a correlated subquery per
    value cost several times more on a year of data)."""
    done = ExerciseCompletion.objects.filter(patient=patient, enrolment=enrolment).aggregate(
        n=Count("pk"), last=Max("pk")
    )
    pauses = EnrolmentPause.objects.filter(enrolment=enrolment).order_by("pk")
    spans = [f"{pk}/{start}/{end}" for pk, start, end in pauses.values_list("pk", "start", "end")]
    return (done["n"], done["last"], *spans)


def current_programme(programmes: list[Enrolment]) -> Enrolment | None:
    """The one programme History charts by default: the newest still open, else the newest."""
    return next((e for e in programmes if e.is_open), programmes[0] if programmes else None)


def trend(patient: User, start: dt.date, end: dt.date) -> TrendBlock:
    """Pain, stress and mood from `start` to `end`. 1 query when cached, 2 when drawn."""
    version = CheckIn.objects.filter(patient=patient, local_date__range=(start, end)).aggregate(
        n=Count("pk"), last=Max("updated_at")
    )
    last = version["last"].isoformat() if version["last"] else "-"
    key = _key("trend", patient.pk, start, end, version["n"], last)
    block: TrendBlock | None = cache.get(key)
    if block is None:
        points = progress.score_points(patient, start, end)
        block = TrendBlock(
            charts.trend_svg(points, start, end), charts.trend_summary(points), points
        )
        cache.set(key, block, TIMEOUT)
    return block


def adherence(patient: User, enrolment: Enrolment, today: dt.date) -> AdherenceBlock:
    """Exercises done / due per week of one programme, `enrolment` coming from
    `started_programmes`. 2 queries when cached, 8 when drawn."""
    e = enrolment
    key = _key(
        "adherence", patient.pk, e.pk, today, e.version_id, e.start_date, e.status,
        e.status_changed_on, e.completed_on, e.withdrawn_on, *_programme_version(patient, e),
    )
    block: AdherenceBlock | None = cache.get(key)
    if block is None:
        [loaded] = prefetch_for_plan(Enrolment.objects.filter(pk=e.pk))
        pairs = ExerciseCompletion.objects.filter(patient=patient, enrolment=e).values_list(
            "exercise_id", "local_date"
        )
        weeks = progress.weekly_adherence(loaded, pairs, today)
        block = AdherenceBlock(charts.adherence_svg(weeks), charts.adherence_summary(weeks), weeks)
        cache.set(key, block, TIMEOUT)
    return block
