"""One patient's review before a follow-up visit: everything on the page, for a patient already
found (and the read audited) through clinicians.access.get_patient_for.

Staff read only what the patient shared of their journal: the timeline, the excerpts and the
symptom-emotion summary come from `JournalEntry.objects.shared()` through clinicians.access,
never from the private journal. Charts are journaling.charts' (the same as History's).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from journaling import charts
from journaling.kinds import EMOTION_LABELS
from journaling.models import CheckIn, ExerciseCompletion, JournalEntry
from journaling.progress import adherence_by_enrolment, score_points
from outcomes import scoring
from outcomes.models import QuestionnaireResponse, SafetyAlert
from programs.models import Attendance
from recovery.models import User

from . import access, visits
from .models_visits import FollowUpVisit

# With no visit held yet, the review looks back this far (a follow-up comes at 3-4 weeks).
DEFAULT_LOOKBACK = dt.timedelta(weeks=4)
MAX_LOOKBACK = dt.timedelta(days=180)
RECENT_SHARED = 5


@dataclass
class Day:
    local_date: dt.date
    events: list[tuple[str, str]] = field(default_factory=list)  # (kind, words)


@dataclass
class Emotion:
    label: str
    count: int
    mean_intensity: float | None


@dataclass
class Situation:
    text: str
    count: int
    emotions: list[str]
    last: dt.date


@dataclass
class OutcomeSeries:
    code: str
    title: str
    points: list[dict[str, Any]]  # local_date, score, band
    bands: list[tuple[str, str, bool]]  # (range, name, is the latest's band)
    change: str  # change from the first to the latest, in words ("" without a rule)


def period(patient: User, today: dt.date) -> tuple[dt.date, FollowUpVisit | None]:
    """From the last visit held (else four weeks back) to today, at most six months."""
    last = visits.last_held(patient)
    start = last.scheduled_for.astimezone(patient.local_now().tzinfo).date() if last else None
    start = start or today - DEFAULT_LOOKBACK
    return max(start, today - MAX_LOOKBACK), last


def timeline(patient: User, user: User, start: dt.date, end: dt.date) -> list[Day]:
    """What happened each day from `start` to `end`, newest first (days with nothing left out).
    Six queries."""
    days: dict[dt.date, Day] = defaultdict(lambda: Day(dt.date.min))
    span = (start, end)

    def add(day: dt.date, kind: str, words: str) -> None:
        days[day].local_date = day
        days[day].events.append((kind, words))

    for c in CheckIn.objects.filter(patient=patient, local_date__range=span):
        add(c.local_date, "checkin", _("Checked in: %(scores)s") % {"scores": c.scores_text()})
    done: dict[dt.date, list[str]] = defaultdict(list)
    for day, title in ExerciseCompletion.objects.filter(
        patient=patient, local_date__range=span
    ).values_list("local_date", "exercise__title"):
        done[day].append(title)
    for day, titles in done.items():
        add(day, "exercise", _("Exercises done: %(titles)s") % {"titles": ", ".join(sorted(titles))})
    for e in access.shared_journal_for(user, patient).filter(local_date__range=span):
        kind = str(e.get_kind_display()).lower()
        add(e.local_date, "entry", _("Shared %(kind)s: “%(title)s”") % {"kind": kind, "title": e.title}
            if e.title else _("Shared %(kind)s") % {"kind": kind})
    for r in QuestionnaireResponse.objects.filter(
        patient=patient, status=QuestionnaireResponse.Status.SUBMITTED, local_date__range=span
    ).select_related("version__instrument"):
        score = _("not scored") if r.score is None else f"{r.score:g}" + (f", {r.band}" if r.band else "")
        add(r.local_date, "questionnaire", f"{r.version.instrument.code}: {score}")
    for a in Attendance.objects.filter(patient=patient).select_related(
        "occurrence__session", "occurrence__cohort"
    ):
        day = a.occurrence.starts_at.astimezone(patient.local_now().tzinfo).date()
        if start <= day <= end:
            add(day, "group", _("Group session “%(session)s”: %(status)s") % {
                "session": a.occurrence.session.title, "status": str(a.get_status_display()).lower()})
    for alert in SafetyAlert.objects.filter(patient=patient):
        day = alert.opened_at.astimezone(patient.local_now().tzinfo).date()
        if start <= day <= end:
            add(day, "alert", _("Safety alert opened: %(reason)s") % {"reason": alert.reason}
                if alert.is_open else
                _("Safety alert opened: %(reason)s (acknowledged)") % {"reason": alert.reason})
    return sorted(days.values(), key=lambda d: d.local_date, reverse=True)


def symptom_emotions(patient: User, user: User) -> tuple[list[Emotion], list[Situation], int]:
    """Which feelings and situations come with the patient's flares, most frequent first, from
    their SHARED symptom-emotion entries only (seed 000's reframing work). One query."""
    entries = list(
        access.shared_journal_for(user, patient)
        .filter(kind=JournalEntry.Kind.SYMPTOM_EMOTION)
        .order_by("-local_date")
        .values_list("local_date", "data")
    )
    counts: Counter[str] = Counter()
    intensities: dict[str, list[int]] = defaultdict(list)
    situations: dict[str, Situation] = {}
    for day, data in entries:
        data = data or {}
        feelings = [f for f in data.get("emotions") or [] if f in EMOTION_LABELS]
        intensity = data.get("intensity")
        for feeling in feelings:
            counts[feeling] += 1
            if isinstance(intensity, int):
                intensities[feeling].append(intensity)
        happening = " ".join(str(data.get("happening") or "").split())
        if happening:
            key = happening.lower()
            s = situations.setdefault(key, Situation(happening[:200], 0, [], day))
            s.count += 1
            s.emotions = sorted({*s.emotions, *(str(EMOTION_LABELS[f]) for f in feelings)})
    emotions = [
        Emotion(
            str(EMOTION_LABELS[f]), n,
            round(sum(intensities[f]) / len(intensities[f]), 1) if intensities[f] else None,
        )
        for f, n in sorted(counts.items(), key=lambda kv: (-kv[1], EMOTION_LABELS[kv[0]]))
    ]
    ordered = sorted(situations.values(), key=lambda s: (-s.count, -s.last.toordinal()))
    return emotions, ordered[:10], len(entries)


def outcome_series(patient: User) -> list[OutcomeSeries]:
    """Each questionnaire's submitted scores, oldest first, with its bands and the change from
    the first score to the latest (outcomes.scoring says what a change means). One query."""
    by_code: dict[str, list[QuestionnaireResponse]] = defaultdict(list)
    for r in (
        QuestionnaireResponse.objects.filter(
            patient=patient, status=QuestionnaireResponse.Status.SUBMITTED, valid=True
        )
        .select_related("version__instrument")
        .order_by("local_date", "submitted_at")
    ):
        by_code[r.version.instrument.code].append(r)
    series = []
    for code, responses in sorted(by_code.items()):
        latest = responses[-1]
        bands: list[tuple[str, str, bool]] = []
        rule = scoring.RULES.get(code)
        if rule is not None:
            for i, band in enumerate(rule.bands):
                top = rule.bands[i + 1].low - 1 if i + 1 < len(rule.bands) else rule.total_high
                bands.append((f"{band.low:g}-{top:g}", band.name, band.name == latest.band))
        change = ""
        if len(responses) > 1 and scoring.has_change_rule(code):
            first = responses[0]
            if first.score is not None and latest.score is not None:
                change = _(scoring.change(code, first.score, latest.score))
        series.append(
            OutcomeSeries(
                code,
                latest.version.display_title,
                [{"local_date": r.local_date, "score": r.score, "band": r.band} for r in responses],
                bands,
                change,
            )
        )
    return series


def attendance(patient: User) -> list[dict[str, Any]]:
    """Group sessions the patient was recorded at, per cohort. One query."""
    per: dict[int, dict[str, Any]] = {}
    for a in Attendance.objects.filter(patient=patient).select_related(
        "occurrence__cohort", "occurrence__session"
    ).order_by("occurrence__starts_at"):
        cohort = a.occurrence.cohort
        row = per.setdefault(cohort.pk, {"cohort": cohort, "counts": Counter(), "sessions": []})
        row["counts"][a.get_status_display()] += 1
        row["sessions"].append(a)
    # Pairs, not the Counter: a template's `counts.items` on a Counter looks up the key "items"
    # (0) before the method, and a loop over 0 is an error.
    return [{**row, "counts": list(row["counts"].items())} for row in per.values()]


def adherence_words(weeks: list[charts.WeekAdherence]) -> str:
    """The programme's adherence in a clinician's words (History's summary speaks to the
    patient)."""
    due = sum(w.due for w in weeks)
    done = sum(w.done for w in weeks)
    if not due:
        return _("No exercises were due yet.")
    text = _("%(done)s of %(due)s exercises due were done (%(percent)s%%)") % {
        "done": done, "due": due, "percent": round(100 * done / due)}
    current = next((w for w in weeks if w.in_progress), None)
    if current is not None:
        text += _("; this week so far %(done)s of %(due)s") % {"done": current.done, "due": current.due}
    return text + "."


def review_context(patient: User, user: User) -> dict[str, Any]:
    today = patient.local_today()
    start, last = period(patient, today)
    chart_start = min(start, today - dt.timedelta(days=27))
    points = score_points(patient, chart_start, today)
    adherence = adherence_by_enrolment(patient, today)
    current = adherence[0] if adherence else None
    emotions, situations, se_count = symptom_emotions(patient, user)
    shared = list(
        access.shared_journal_for(user, patient)
        .select_related("exercise")
        .order_by("-local_date", "-created_at")[:RECENT_SHARED]
    )
    return {
        "patient": patient,
        "today": today,
        "since": start,
        "last_visit": last,
        "timeline": timeline(patient, user, start, today),
        "chart_start": chart_start,
        "trend_svg": charts.trend_svg(points, chart_start, today),
        "trend_summary": charts.trend_summary(points),
        "adherence_enrolment": current[0] if current else None,
        "adherence_svg": charts.adherence_svg(current[1]) if current else "",
        "adherence_summary": adherence_words(current[1]) if current else "",
        "outcomes": outcome_series(patient),
        "open_alerts": list(SafetyAlert.objects.filter(patient=patient, acknowledged_at=None)),
        "shared": shared,
        "emotions": emotions,
        "situations": situations,
        "symptom_entries": se_count,
        "attendance": attendance(patient),
        "visits": list(
            FollowUpVisit.objects.filter(patient=patient)
            .select_related("clinician__clinician_profile")
            .order_by("-scheduled_for")
        ),
    }
