"""The outcomes page's data: enrolments (already limited by the caller's access rules) turned
into outcomes.statistics' plain rows, through the same slots and matching as the patient's
Today (outcomes.schedule), in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import QuerySet

from programs.models import Enrolment

from .schedule import all_slots, answered_dates, assign
from .statistics import EnrolmentOutcome, Point


def outcome_rows(enrolments: QuerySet[Enrolment], today: dt.date) -> list[EnrolmentOutcome]:
    chosen = list(enrolments.values("pk", "patient_id", "version_id", "clinician_id", "status"))
    ids = {e["pk"] for e in chosen}
    patients = {e["patient_id"] for e in chosen}
    slots = [s for s in all_slots(patients) if s.enrolment_id in ids and s.opens <= today]
    filled = assign(slots, answered_dates(patients, {s.instrument for s in slots}, today))
    scores: dict[int, dict[Point, float | None]] = defaultdict(dict)
    due: dict[int, set[Point]] = defaultdict(set)
    closed: dict[int, set[Point]] = defaultdict(set)
    for slot in slots:
        point = (slot.instrument, slot.timepoint)
        due[slot.enrolment_id].add(point)
        if slot.closes < today:
            closed[slot.enrolment_id].add(point)
        if slot in filled:
            scores[slot.enrolment_id][point] = filled[slot]
    return [
        EnrolmentOutcome(
            enrolment_id=e["pk"], version_id=e["version_id"], clinician_id=e["clinician_id"],
            status=e["status"], scores=scores[e["pk"]], due=frozenset(due[e["pk"]]),
            closed=frozenset(closed[e["pk"]]),
        )
        for e in chosen
    ]
