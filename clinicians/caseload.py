"""The caseload page's figures: every patient of a care team, filtered, flagged, sorted and cut
into pages, in a fixed number of queries however large the caseload (tests count them at 10
and at 1,000 patients).

Two passes, so the work is flat in the caseload's size. The first is SQL
(clinicians.caseload_keys): the filters, the flags that decide the "flag" filter and the
"needs attention" order, every sort key, and the page cut (LIMIT 25). The second covers only
the page shown: the sparkline's pain days, the flags' reasons (clinicians.flags, the same rules
as the SQL), programmes through `plan_for`, adherence through
`journaling.progress.week_adherence`, the check-in streak and the latest questionnaire bands.
`page_of` is pass 1 alone: the caseload page (clinicians.views.dashboard) builds pass 2 only
for the patients whose rendered row is not kept (clinicians.caseload_rows).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from journaling.charts import WeekAdherence
from journaling.models import CheckIn, ExerciseCompletion
from journaling.progress import week_adherence
from outcomes.models import QuestionnaireResponse
from outcomes.schedule import due_since
from programs.models import Cohort, Enrolment, Program
from programs.schedule import DayPlan, plan_for, prefetch_for_plan
from recovery.models import User

from . import caseload_keys as keys
from . import flags as rules
from .access import patients_for
from .sparkline import sparkline_svg

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # dev-only package: typing only

PAGE_SIZE = 25
RECENT_DAYS = keys.RECENT_DAYS  # adherence and the pain compared with the baseline
SPARK_DAYS = 14  # the sparkline
STREAK_WINDOW = 60  # a longer streak shows as "60+"

SORTS: tuple[tuple[str, StrOrPromise], ...] = (
    ("attention", gettext_lazy("Needs attention first")),
    ("name", gettext_lazy("Name")),
    ("activity", gettext_lazy("Longest without activity")),
    ("follow_up", gettext_lazy("Next follow-up")),
    ("pain", gettext_lazy("Pain change, worst first")),
)


def _id(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Filters:
    q: str = ""
    program: int | None = None
    cohort: int | None = None
    flag: str = ""
    sort: str = "attention"
    page: Any = 1

    @classmethod
    def from_query(cls, data: Any) -> Filters:
        """Read the address's filters; anything unknown is ignored, never an error."""
        flag = data.get("flag", "")
        sort = data.get("sort", "")
        return cls(
            q=(data.get("q") or "").strip()[:100],
            program=_id(data.get("program")),
            cohort=_id(data.get("cohort")),
            flag=flag if flag in rules.LABELS else "",
            sort=sort if sort in dict(SORTS) else "attention",
            page=data.get("page") or 1,
        )

    @property
    def active(self) -> bool:
        return bool(self.q or self.program or self.cohort or self.flag)


@dataclass
class Row:
    patient: User
    today: dt.date
    open_alerts: int = 0
    last_activity: dt.date | None = None
    baseline: int | None = None
    recent_pain: float | None = None
    next_visit_at: dt.datetime | None = None
    next_visit_id: int | None = None
    pain_days: list[int | None] = field(default_factory=list)
    flags: list[rules.Flag] = field(default_factory=list)
    # Filled for the page shown only:
    plans: list[DayPlan] = field(default_factory=list)
    adherence: WeekAdherence | None = None
    streak: int = 0
    outcomes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def pain_change(self) -> float | None:
        if self.baseline is None or self.recent_pain is None:
            return None
        return round(self.recent_pain - self.baseline, 1)

    @property
    def sparkline(self) -> str:
        return sparkline_svg(self.pain_days)

    @property
    def streak_text(self) -> str:
        return f"{STREAK_WINDOW}+" if self.streak >= STREAK_WINDOW else str(self.streak)


@dataclass
class Caseload:
    rows: list[Row]
    page: Page[Any]  # of annotated User rows; `rows` holds their Row
    filters: Filters
    total: int  # patients in the care team, before filters
    programs: list[Program]
    cohorts: list[Cohort]
    zone: zoneinfo.ZoneInfo
    listed: list[Any] = field(default_factory=list)  # the page's annotated patients, in order
    html: list[SafeString] = field(default_factory=list)  # their rows (clinicians.caseload_rows)


# --- pass 1: filters, flags and order in SQL (clinicians.caseload_keys) ------------------------


def filtered(user: User, f: Filters) -> QuerySet[User]:
    patients = patients_for(user)
    if f.q:
        patients = patients.filter(
            Q(patient_profile__display_name__icontains=f.q) | Q(email__icontains=f.q)
        )
    if f.program:
        patients = patients.filter(
            pk__in=Enrolment.objects.open().filter(program_id=f.program).values("patient_id")
        )
    if f.cohort:
        patients = patients.filter(
            pk__in=Enrolment.objects.filter(memberships__cohort_id=f.cohort).values("patient_id")
        )
    return patients


def _pain_by_patient(ids: list[int], since: dt.date) -> dict[int, dict[dt.date, int]]:
    """One query: pain scores since `since` for the patients `ids`."""
    found: dict[int, dict[dt.date, int]] = defaultdict(dict)
    rows = CheckIn.objects.filter(
        patient_id__in=ids, local_date__gte=since, pain__isnull=False
    ).values_list("patient_id", "local_date", "pain")
    for patient_id, day, pain in rows:
        if pain is not None:
            found[patient_id][day] = pain
    return found


def questionnaire_due_dates(patient_ids: list[int]) -> dict[int, dt.date]:
    """The date each patient's oldest unanswered questionnaire was due, from the programme's
    questionnaire schedule (outcomes.schedule.due_since, a fixed number of queries); the flag
    (clinicians.flags.questionnaire_overdue) decides how late is late."""
    return due_since(patient_ids)


def _questionnaire_overdue(qs: QuerySet[User]) -> QuerySet[User]:
    """The patients of `qs` with an overdue questionnaire: the schedule runs in Python over
    every patient of `qs` (the one filter whose work grows with the caseload)."""
    today = dict(qs.order_by().values_list("pk", "local_day"))  # type: ignore[misc]
    due = questionnaire_due_dates(list(today))
    late = [pk for pk, day in due.items() if rules.questionnaire_overdue(day, today[pk])]
    return qs.filter(pk__in=late)


def rows_for(listed: list[Any], now: dt.datetime, zone: dt.tzinfo) -> list[Row]:
    """Rows for patients annotated by caseload_keys.annotated (a page: a few queries)."""
    if not listed:
        return []
    since = min(p.local_day for p in listed) - dt.timedelta(days=SPARK_DAYS - 1)
    pain = _pain_by_patient([p.pk for p in listed], since)
    due = questionnaire_due_dates([p.pk for p in listed])
    rows = []
    for p in listed:
        today = p.local_day
        days = [today - dt.timedelta(days=i) for i in range(SPARK_DAYS - 1, -1, -1)]
        scores = pain.get(p.pk, {})
        row = Row(
            patient=p,
            today=today,
            open_alerts=p.open_alerts,
            last_activity=None if p.activity_key == keys.NEVER else p.activity_key,
            baseline=p.baseline_pain,
            # The database's rounding (half up, in tenths), so the flags shown are the ones
            # the filter found.
            recent_pain=None if p.recent_tenths is None else p.recent_tenths / 10,
            next_visit_at=p.next_visit_at,
            next_visit_id=p.next_visit_id,
            pain_days=[scores.get(d) for d in days],
        )
        active = p.current_start if p.current_status == Enrolment.Status.ACTIVE else None
        row.flags = rules.flags_for(
            today=today, now=now, zone=zone, open_alerts=row.open_alerts,
            last_activity=row.last_activity, active_since=active, baseline=row.baseline,
            recent_pain=row.recent_pain, questionnaire_due=due.get(p.pk),
            next_visit=row.next_visit_at,
        )
        rows.append(row)
    return rows


def build_rows(patients: QuerySet[User], now: dt.datetime, zone: dt.tzinfo) -> list[Row]:
    """Rows for every patient of `patients` (the report's one patient: keep it small)."""
    return rows_for(list(keys.annotated(patients, now, str(zone))), now, zone)


# --- pass 2: the page shown -----------------------------------------------------------------


def fill_page(rows: list[Row]) -> None:
    """Programmes, adherence, streak and outcomes for `rows`: 8 queries whatever their number."""
    if not rows:
        return
    by_id = {r.patient.pk: r for r in rows}
    ids = list(by_id)
    enrolments = list(
        prefetch_for_plan(Enrolment.objects.open().filter(patient_id__in=ids)).order_by(
            "-start_date", "-pk"
        )
    )
    first = min(r.today for r in rows) - dt.timedelta(days=STREAK_WINDOW)
    pairs: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    for enrolment_id, exercise_id, day in ExerciseCompletion.objects.filter(
        enrolment__in=[e.pk for e in enrolments], local_date__gte=first
    ).values_list("enrolment_id", "exercise_id", "local_date"):
        pairs[enrolment_id].append((exercise_id, day))
    for e in enrolments:
        row = by_id[e.patient_id]
        row.plans.append(plan_for(e, row.today))
        week = [row.today - dt.timedelta(days=i) for i in range(RECENT_DAYS - 1, -1, -1)]
        # The last 7 days as one "week": done of due, with journaling's own count.
        got = week_adherence(e, 0, week, pairs[e.pk], row.today)
        before = row.adherence or WeekAdherence(week=0, due=0, done=0)
        row.adherence = WeekAdherence(week=0, due=before.due + got.due, done=before.done + got.done)
    checked: dict[int, set[dt.date]] = defaultdict(set)
    for patient_id, day in CheckIn.objects.filter(
        patient_id__in=ids, local_date__gte=first
    ).values_list("patient_id", "local_date"):
        checked[patient_id].add(day)
    for row in rows:
        row.streak = streak(checked[row.patient.pk], row.today)
    seen: set[tuple[int, str]] = set()
    for r in (
        QuestionnaireResponse.objects.filter(
            patient_id__in=ids, status=QuestionnaireResponse.Status.SUBMITTED, valid=True
        )
        .order_by("-local_date", "-submitted_at")
        .values("patient_id", "version__instrument__code", "score", "band", "local_date")
    ):
        key = (r["patient_id"], r["version__instrument__code"])
        if key not in seen:
            seen.add(key)
            by_id[r["patient_id"]].outcomes.append(dict(r))


def streak(days: set[dt.date], today: dt.date) -> int:
    """Consecutive days with a check-in up to today; a streak that reached yesterday still
    counts today, since the day is not over."""
    day = today if today in days else today - dt.timedelta(days=1)
    n = 0
    while day in days and n < STREAK_WINDOW:
        n += 1
        day -= dt.timedelta(days=1)
    return n


def caseload(user: User, f: Filters, now: dt.datetime | None = None) -> Caseload:
    """The page of the caseload `f` asks for, with its rows built."""
    now = now or timezone.now()
    found = page_of(user, f, now)
    found.rows = rows_for(found.listed, now, found.zone)
    fill_page(found.rows)
    return found


def page_of(user: User, f: Filters, now: dt.datetime) -> Caseload:
    """The page `f` asks for, cut in SQL (pass 1), without its rows: `listed` holds the
    patients shown, annotated, for rows_for (or clinicians.caseload_rows' kept rows)."""
    zone = zoneinfo.ZoneInfo(user.clinic.time_zone)
    qs = keys.annotated(filtered(user, f), now, zone.key)
    if f.flag and keys.sql_coded(f.flag):
        qs = keys.with_flag(qs, f.flag)
    elif f.flag:
        qs = _questionnaire_overdue(qs)
    page = Paginator(keys.ordered(qs, f.sort), PAGE_SIZE).get_page(f.page)
    everyone = patients_for(user)
    return Caseload(
        rows=[],
        listed=list(page.object_list),
        page=page,
        filters=f,
        total=everyone.count(),
        programs=list(
            Program.objects.filter(
                enrolments__in=Enrolment.objects.open().filter(patient__in=everyone.values("pk"))
            ).distinct().order_by("title")
        ),
        cohorts=list(
            Cohort.objects.filter(memberships__enrolment__patient__in=everyone.values("pk"))
            .distinct().order_by("-start_date", "name")
        ),
        zone=zone,
    )
