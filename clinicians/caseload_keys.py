"""The caseload's filters and sort keys as SQL, so the database filters, orders and cuts the
page, and Python builds rich rows (sparkline, plans, adherence, streak) for 25 patients only.

Each patient's "today" is their own local date: the distinct time zones of the caseload are
few (one query), so the local date is a CASE over them, computed here from `now`. On it hang
the last 7 days' pain (sum and count, rounded to tenths half up in integers: see
clinicians.flags.mean_tenths), the inactivity cut-off, and the flags' conditions
(clinicians.flags.sql_conditions). The questionnaire flag has no SQL form (its due dates come
from outcomes' schedule in Python): it shows on the rows of the page, filters by running the
schedule over the filtered patients (the one filter whose cost grows with the caseload), and
does not count in the "needs attention" order.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Lower, NullIf

from journaling.models import CheckIn, ExerciseCompletion, JournalEntry
from outcomes.models import SafetyAlert
from programs.models import Enrolment
from recovery.models import User

from . import flags as rules
from .access import with_shared_count
from .models_visits import FollowUpVisit

RECENT_DAYS = 7  # adherence and the pain compared with the baseline
NEVER = dt.date.min  # "no activity yet" sorts before any date
INT: IntegerField[int, int] = IntegerField()


def zones_of(patients: QuerySet[User]) -> list[str]:
    """The patients' time zones (one small query)."""
    return sorted(
        set(patients.order_by().values_list("patient_profile__time_zone", flat=True).distinct())
        - {None}
    )


def local_day(zones: Iterable[str], now: dt.datetime, default: str, back: int = 0) -> Case:
    """Each patient's local date at `now`, less `back` days, as a CASE on their time zone."""
    def day(zone: str) -> dt.date:
        return now.astimezone(zoneinfo.ZoneInfo(zone)).date() - dt.timedelta(days=back)

    whens = []
    for zone in zones:
        try:
            whens.append(When(patient_profile__time_zone=zone, then=Value(day(zone))))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue  # validated on save; an odd legacy value falls back to the clinic's
    return Case(*whens, default=Value(day(default)), output_field=DateField())


def _latest(qs: QuerySet[Any], field_name: str, order: str) -> Subquery:
    return Subquery(qs.order_by(order).values(field_name)[:1])


def _aggregate(qs: QuerySet[Any], fn: Any) -> Coalesce | Subquery:
    return Subquery(
        qs.order_by().values("patient").annotate(v=fn).values("v"), output_field=INT
    )


def annotated(patients: QuerySet[User], now: dt.datetime, zone: str) -> QuerySet[User]:
    """`patients` with every figure the flags, the filters and the orders need, as subqueries
    (no row multiplication), and the flags themselves (flag_<code>: 1 or 0)."""
    zones = zones_of(patients)
    mine = {"patient": OuterRef("pk")}
    current = Enrolment.objects.open().filter(**mine)
    upcoming = FollowUpVisit.objects.filter(status=FollowUpVisit.Status.SCHEDULED, **mine)
    recent = CheckIn.objects.filter(
        pain__isnull=False,
        local_date__gte=OuterRef("recent_from"),
        local_date__lte=OuterRef("local_day"),
        **mine,
    )
    latest_day = {
        "last_checkin": _latest(CheckIn.objects.filter(**mine), "local_date", "-local_date"),
        "last_completion": _latest(
            ExerciseCompletion.objects.filter(**mine), "local_date", "-local_date"
        ),
        # Shared entries only: the date of a private entry is the patient's business.
        "last_shared": _latest(
            JournalEntry.objects.shared().filter(**mine), "local_date", "-local_date"
        ),
    }
    qs = (
        with_shared_count(patients)
        .select_related("patient_profile")
        # alias(): used by the filters and orders, not selected (each use repeats the SQL).
        .alias(
            recent_from=local_day(zones, now, zone, back=RECENT_DAYS - 1),
            inactive_before=local_day(zones, now, zone, back=rules.inactive_days()),
        )
        .annotate(
            local_day=local_day(zones, now, zone),
            open_alerts=Coalesce(
                _aggregate(
                    SafetyAlert.objects.filter(acknowledged_at__isnull=True, **mine), Count("pk")
                ),
                0,
            ),
            **latest_day,
            current_start=_latest(current, "start_date", "-start_date"),
            current_status=_latest(current, "status", "-start_date"),
            next_visit_at=Subquery(
                upcoming.order_by("scheduled_for").values("scheduled_for")[:1],
                output_field=DateTimeField(),
            ),
            next_visit_id=_latest(upcoming, "pk", "scheduled_for"),
        )
        .alias(
            recent_sum=_aggregate(recent, Sum("pain")),
            recent_n=_aggregate(recent, Count("pk")),
        )
        .annotate(
            baseline_pain=_latest(
                CheckIn.objects.filter(
                    local_date__gte=OuterRef("current_start"), pain__isnull=False, **mine
                ),
                "pain",
                "local_date",
            ),
            # flags.mean_tenths in SQL (both operands integers: integer division).
            recent_tenths=(F("recent_sum") * 20 + F("recent_n")) / (F("recent_n") * 2),
            # The latest of the three activity dates, NEVER when there is none (COALESCE
            # first: GREATEST and SQLite's MAX disagree about NULLs).
            activity_key=Greatest(
                *(Coalesce(F(name), Value(NEVER), output_field=DateField()) for name in latest_day)
            ),
        )
        .alias(
            idle_since=Greatest(F("activity_key"), F("current_start"), output_field=DateField()),
            pain_up=F("recent_tenths") - F("baseline_pain") * 10,
            pain_margin=F("recent_tenths") * 10 - F("baseline_pain") * rules.pain_margin_factor(),
        )
    )
    conditions = rules.sql_conditions(now)
    flagged = {
        f"flag_{code}": Case(When(q, then=Value(1)), default=Value(0), output_field=INT)
        for code, q in conditions.items()
    }
    qs = qs.alias(**flagged)
    return qs.alias(attention=sum((F(name) for name in flagged), Value(0)))


def with_flag(qs: QuerySet[User], code: str) -> QuerySet[User]:
    """Only the patients raising flag `code` (an SQL one: see sql_coded)."""
    return qs.filter(**{f"flag_{code}": 1})


def sql_coded(code: str) -> bool:
    return code in {rules.SAFETY, rules.PAIN, rules.INACTIVE, rules.FOLLOW_UP}


def ordered(qs: QuerySet[User], sort: str) -> QuerySet[User]:
    """Open safety alerts first whatever the order asked for, then the order, then the name
    (then the id, so a page boundary is stable)."""
    name = Lower(Coalesce(NullIf(F("patient_profile__display_name"), Value("")), F("email")))
    keys: dict[str, list[Any]] = {
        "attention": [F("attention").desc()],
        "name": [],
        "activity": [F("activity_key").asc()],
        "follow_up": [F("next_visit_at").asc(nulls_last=True)],
        "pain": [(F("recent_tenths") - F("baseline_pain") * 10).desc(nulls_last=True)],
    }
    alerts_first = Case(When(open_alerts__gt=0, then=Value(0)), default=Value(1), output_field=INT)
    return qs.order_by(alerts_first, *keys.get(sort, keys["attention"]), name, "pk")
