"""Programs' reminder kind: a group session, 24 hours and 1 hour before it starts.

Set-based: the occurrences starting in the shifted window (few), then their cohorts' members
with an active enrolment, in one query each.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator

from django.utils.translation import gettext_lazy

from recovery.notifications.registry import Due, ReminderKind

from .models import CohortMembership, Enrolment, Occurrence

GROUP_SESSION = "group_session"
BEFORE = {"24h": dt.timedelta(hours=24), "1h": dt.timedelta(hours=1)}


def group_session_due(start: dt.datetime, end: dt.datetime) -> Iterator[Due]:
    for label, before in BEFORE.items():
        occurrences = dict(
            Occurrence.objects.filter(
                cancelled=False, starts_at__gte=start + before, starts_at__lte=end + before
            ).values_list("id", "cohort_id")
        )
        if not occurrences:
            continue
        starts = dict(Occurrence.objects.filter(id__in=occurrences).values_list("id", "starts_at"))
        by_cohort: dict[int, list[int]] = defaultdict(list)
        for occurrence_id, cohort_id in occurrences.items():
            by_cohort[cohort_id].append(occurrence_id)
        # Active members only: a patient whose enrolment is paused or over is not expected.
        members = CohortMembership.objects.filter(
            cohort_id__in=by_cohort, enrolment__status=Enrolment.Status.ACTIVE,
            enrolment__patient__is_active=True,
        ).values_list("cohort_id", "enrolment__patient_id",
                      "enrolment__patient__patient_profile__time_zone")
        for cohort_id, patient_id, zone in members:
            for occurrence_id in by_cohort[cohort_id]:
                local = starts[occurrence_id].astimezone(zoneinfo.ZoneInfo(zone or "UTC"))
                yield Due(
                    patient_id,
                    f"occurrence-{occurrence_id}-{label}",
                    starts[occurrence_id] - before,
                    {"before": label, "local_time": local.strftime("%H:%M"),
                     "time_zone": (zone or "UTC").replace("_", " ")},
                )


def register() -> None:
    from recovery.notifications import registry

    registry.register(ReminderKind(
        name=GROUP_SESSION, label=gettext_lazy("Group session reminders (a day and an hour before)"),
        audience="patient", due=group_session_due, title=gettext_lazy("Your group session is coming up"),
        url="/today/",
    ))
