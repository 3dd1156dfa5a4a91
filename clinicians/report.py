"""The PDF progress report a clinician hands over at a follow-up visit: its data, section by
section, each from a small function, then HTML (templates/clinicians/report/report.html) and
WeasyPrint.

Sections: patient; programmes and week; the period; adherence in the period (exercises done of
due, the count Today and History use); pain, stress and mood (the same SVG charts as the
pages: journaling.charts); outcome scores with change from baseline and bands
(outcomes.scoring); flags; the clinician's visit notes; shared journal excerpts only when the
patient consented (PatientProfile.include_shared_entries_in_reports). Private entries never.

Who may make one is clinicians.access' (the view gets the patient through get_patient_for).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clinicians import caseload
from clinicians import flags as clinic_flags
from clinicians.models_visits import FollowUpVisit
from clinicians.report_options import ReportOptions
from journaling import charts, progress
from journaling.entry_text import details
from journaling.models import ExerciseCompletion, JournalEntry
from outcomes import scoring
from outcomes.models import QuestionnaireResponse, SafetyAlert
from programs.models import Enrolment
from programs.schedule import plan_for, prefetch_for_plan
from recovery.models import User

EXCERPT_CHARS = 600


# --- sections -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeLine:
    title: str
    state: str
    clinician: str
    start_date: dt.date


def programmes(enrolments: list[Enrolment], end: dt.date) -> list[ProgrammeLine]:
    """Each programme the patient had started by `end`, with where they were on that date."""
    lines = []
    for e in enrolments:
        plan = plan_for(e, end)
        if e.status == Enrolment.Status.WITHDRAWN:
            state = (_("Withdrawn on %(day)s") % {"day": date_format(e.withdrawn_on, "j M Y")}
                     if e.withdrawn_on else _("Withdrawn"))
        elif plan.state == "active":
            state = _("Week %(week)s, day %(day)s") % {"week": plan.week, "day": plan.day}
        elif plan.state == "paused":
            state = _("Paused (week %(week)s)") % {"week": plan.week} if plan.week else _("Paused")
        elif plan.state == "finished":
            state = _("Finished")
        else:
            state = _("Not started")
        lines.append(
            ProgrammeLine(
                title=e.version.display_title,
                state=state,
                clinician=e.clinician.display_name if e.clinician_id else "",
                start_date=e.start_date,
            )
        )
    return lines


@dataclass(frozen=True)
class Adherence:
    done: int
    due: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.due) if self.due else None

    @property
    def sentence(self) -> str:
        if not self.due:
            return _("No exercises were due in this period.")
        return _("%(done)s of %(due)s exercises due were done (%(percent)s%%).") % {
            "done": self.done, "due": self.due, "percent": self.percent}


def period_adherence(
    patient: User, enrolments: list[Enrolment], start: dt.date, end: dt.date
) -> Adherence:
    """Exercises done of due from `start` to `end`, over every programme, counted as Today and
    History count a week (progress.done_within_due: no credit beyond what was due). 1 query."""
    ids = [e.pk for e in enrolments]
    rows = ExerciseCompletion.objects.filter(
        patient=patient, enrolment__in=ids, local_date__range=(start, end)
    ).values_list("enrolment_id", "exercise_id")
    done_by: dict[int, Counter[int]] = {pk: Counter() for pk in ids}
    for enrolment_id, exercise_id in rows:
        done_by[enrolment_id][exercise_id] += 1
    total_due = total_done = 0
    for e in enrolments:
        due: Counter[int] = Counter()
        day = max(start, e.start_date)
        while day <= end:
            due.update(ex.pk for ex in plan_for(e, day).exercises)
            day += dt.timedelta(days=1)
        total_due += sum(due.values())
        total_done += progress.done_within_due(due, done_by[e.pk])
    return Adherence(done=total_done, due=total_due)


@dataclass(frozen=True)
class ScoreLine:
    code: str
    title: str
    baseline: QuestionnaireResponse
    latest: QuestionnaireResponse
    count_in_period: int
    change: str

    @property
    def baseline_total(self) -> str:
        return _total(self.baseline.score)

    @property
    def latest_total(self) -> str:
        return _total(self.latest.score)


def _total(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def outcome_scores(patient: User, start: dt.date, end: dt.date) -> list[ScoreLine]:
    """Per instrument: the first valid score (the baseline), the latest by `end`, and the
    change between them in outcomes.scoring's words (or "no threshold" where it has none)."""
    responses = (
        QuestionnaireResponse.objects.filter(
            patient=patient,
            status=QuestionnaireResponse.Status.SUBMITTED,
            valid=True,
            local_date__lte=end,
        )
        .select_related("version__instrument")
        .order_by("local_date", "submitted_at", "pk")
    )
    by_code: dict[str, list[QuestionnaireResponse]] = {}
    for response in responses:
        by_code.setdefault(response.version.instrument.code, []).append(response)
    lines = []
    for code, rows in sorted(by_code.items()):
        baseline, latest = rows[0], rows[-1]
        if latest.pk == baseline.pk:
            change = _("Only one score so far.")
        elif not scoring.has_change_rule(code):
            change = _("No published threshold for a meaningful change.")
        else:
            try:
                change = _(scoring.change(code, baseline.score or 0, latest.score or 0))
            except scoring.ScoringError as exc:
                change = str(exc)
        lines.append(
            ScoreLine(
                code=code,
                title=latest.version.display_title,
                baseline=baseline,
                latest=latest,
                count_in_period=sum(1 for r in rows if start <= r.local_date <= end),
                change=change,
            )
        )
    return lines


def flags(patient: User, today: dt.date) -> list[str]:
    """Each flag with its reason in words, most urgent first: the caseload's own rules
    (clinicians.flags through clinicians.caseload), so the report and the dashboard agree;
    open safety alerts are spelled out one by one (when and why) rather than counted."""
    alerts = SafetyAlert.objects.filter(patient=patient, acknowledged_at=None).order_by("opened_at")
    spelled = [
        _("Safety alert open since %(day)s: %(reason)s") % {
            "day": date_format(alert.opened_at, "j M Y"), "reason": alert.reason}
        for alert in alerts
    ]
    zone = zoneinfo.ZoneInfo(patient.clinic.time_zone)
    rows = caseload.build_rows(User.objects.filter(pk=patient.pk), timezone.now(), zone)
    return spelled + [
        flag.reason for row in rows for flag in row.flags if flag.code != clinic_flags.SAFETY
    ]


@dataclass(frozen=True)
class VisitNote:
    date: dt.date
    kind: str
    summary: str
    discussed: str
    plan: str
    author: str


def visit_notes(patient: User, start: dt.date, end: dt.date) -> list[VisitNote]:
    """The clinician's notes of visits held or missed in the period, oldest first."""
    zone = zoneinfo.ZoneInfo(patient.time_zone)
    first = dt.datetime.combine(start, dt.time(), tzinfo=zone)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    held = (
        FollowUpVisit.objects.filter(patient=patient, scheduled_for__gte=first, scheduled_for__lt=after)
        .exclude(status=FollowUpVisit.Status.CANCELLED)
        .select_related("clinician__clinician_profile")
        .order_by("scheduled_for")
    )
    return [
        VisitNote(
            date=v.scheduled_for.astimezone(zone).date(),
            kind=f"{v.get_mode_display()} · {v.get_status_display()}",
            summary=v.summary,
            discussed=v.discussed,
            plan=v.plan,
            author=v.clinician.display_name if v.clinician else "",
        )
        for v in held
        if v.has_notes or v.status != FollowUpVisit.Status.SCHEDULED
    ]


@dataclass(frozen=True)
class Excerpt:
    date: dt.date
    kind: str
    title: str
    text: str


def shared_excerpts(patient: User, start: dt.date, end: dt.date) -> list[Excerpt] | None:
    """Shared entries of the period, shortened, when the patient consented to printing them;
    None without consent. Only JournalEntry.objects.shared(): never private, draft or
    released writing."""
    if not patient.patient_profile.include_shared_entries_in_reports:
        return None
    entries = (
        JournalEntry.objects.shared()
        .filter(patient=patient, local_date__range=(start, end))
        .order_by("local_date", "created_at", "pk")
    )
    excerpts = []
    for entry in entries:
        # Structured kinds keep their words in fields; print them as "label: value".
        raw = entry.body or "; ".join(f"{label}: {value}" for label, value in details(entry))
        text = " ".join(raw.split())
        if len(text) > EXCERPT_CHARS:
            text = text[:EXCERPT_CHARS].rsplit(" ", 1)[0] + " …"
        excerpts.append(
            Excerpt(
                date=entry.local_date,
                kind=entry.get_kind_display(),
                title=entry.title,
                text=text,
            )
        )
    return excerpts


# --- the whole report -----------------------------------------------------------------------


@dataclass
class Report:
    patient: User
    author: User
    options: ReportOptions
    generated_at: dt.datetime
    programmes: list[ProgrammeLine]
    adherence: Adherence
    trend_svg: str
    trend_summary: list[str]
    adherence_charts: list[dict[str, Any]]
    scores: list[ScoreLine]
    flags: list[str]
    visit_notes: list[VisitNote]
    excerpts: list[Excerpt] | None
    extra: dict[str, Any] = field(default_factory=dict)


def build_report(
    patient: User, author: User, options: ReportOptions, now: dt.datetime
) -> Report:
    """Everything the report shows, for `patient` (found through clinicians.access)."""
    start, end = options.start, options.end
    enrolments = list(
        prefetch_for_plan(
            Enrolment.objects.filter(patient=patient, start_date__lte=end)
            .select_related("clinician__clinician_profile")
            .order_by("-start_date", "-pk")
        )
    )
    points = progress.score_points(patient, start, end)
    adherence_charts = [
        {
            "title": enrolment.version.display_title,
            "svg": charts.adherence_svg(weeks),
            "summary": charts.adherence_summary(weeks, third_person=True),
        }
        for enrolment, weeks in progress.adherence_by_enrolment(patient, end)
        if weeks
    ]
    return Report(
        patient=patient,
        author=author,
        options=options,
        generated_at=now,
        programmes=programmes(enrolments, end),
        adherence=period_adherence(patient, enrolments, start, end),
        trend_svg=charts.trend_svg(points, start, end),
        trend_summary=charts.trend_summary(points),
        adherence_charts=adherence_charts,
        scores=outcome_scores(patient, start, end),
        flags=flags(patient, end),
        visit_notes=visit_notes(patient, start, end),
        excerpts=shared_excerpts(patient, start, end),
    )


def render_html(report: Report) -> str:
    return render_to_string(
        "clinicians/report/report.html",
        {"report": report, "SITE_NAME": settings.SITE_NAME},
    )


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # Everything the report needs is inline; a document never makes the server fetch a URL.
    raise ValueError(f"External resources are not allowed in reports: {url[:60]}")


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML  # heavy import: only when a report is asked for

    pdf = HTML(string=render_html(report), url_fetcher=_no_fetch).write_pdf()
    assert pdf is not None  # bytes when no target is given
    return pdf
