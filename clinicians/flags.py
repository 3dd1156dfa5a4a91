"""What the caseload flags, and why, in words a clinician can act on.

Each rule is a plain function of plain figures (dates, scores, counts) that returns a `Flag`
with its reason, or None; `clinicians.caseload` gathers the figures for a page of patients in a
fixed number of queries and asks `flags_for`. The thresholds are settings (CLINIC_FLAG_* in
recovery/settings.py and .env.example), read at call time so a test or a deployment can change
them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import F, Q
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # dev-only package: typing only

SAFETY = "safety"
PAIN = "pain"
INACTIVE = "inactive"
QUESTIONNAIRE = "questionnaire"
FOLLOW_UP = "follow_up"

# The filter's choices, most urgent first (the order flags are shown in).
CHOICES: tuple[tuple[str, StrOrPromise], ...] = (
    (SAFETY, gettext_lazy("Safety alert open")),
    (PAIN, gettext_lazy("Pain rising")),
    (INACTIVE, gettext_lazy("No recent activity")),
    (QUESTIONNAIRE, gettext_lazy("Questionnaire overdue")),
    (FOLLOW_UP, gettext_lazy("Follow-up due soon")),
)
LABELS = dict(CHOICES)
_ORDER = {code: i for i, (code, _label) in enumerate(CHOICES)}


@dataclass(frozen=True)
class Flag:
    code: str
    reason: str  # one sentence: what was seen, with the figures

    @property
    def label(self) -> str:
        return str(LABELS[self.code])

    @property
    def urgent(self) -> bool:
        return self.code == SAFETY


# Every threshold the rules read, with its default (recovery/settings.py sets them from the
# environment; a test may leave one out). `thresholds()` lists them all for cache keys.
SETTINGS = {
    "CLINIC_FLAG_INACTIVE_DAYS": 3,
    "CLINIC_FLAG_PAIN_RISE_PERCENT": 30,
    "CLINIC_FLAG_QUESTIONNAIRE_OVERDUE_DAYS": 3,
    "CLINIC_FLAG_FOLLOW_UP_DAYS": 7,
}


def _setting(name: str) -> int:
    return int(getattr(settings, name, SETTINGS[name]))


def _days(n: int) -> str:
    return ngettext("%(count)s day", "%(count)s days", n) % {"count": n}


def _date(day: dt.date) -> str:
    return date_format(day, "D j M")


# --- the rules --------------------------------------------------------------------------------


def safety_alert(open_alerts: int) -> Flag | None:
    """A questionnaire's safety item opened an alert nobody has acknowledged yet."""
    if open_alerts <= 0:
        return None
    return Flag(SAFETY, ngettext(
        "A questionnaire answer opened a safety alert, not yet acknowledged.",
        "Questionnaire answers opened %(count)s safety alerts, not yet acknowledged.",
        open_alerts,
    ) % {"count": open_alerts})


def inactive(
    last_activity: dt.date | None, active_since: dt.date | None, today: dt.date
) -> Flag | None:
    """No check-in, exercise or shared entry for CLINIC_FLAG_INACTIVE_DAYS days or more.

    Only for a patient with a programme under way (`active_since`: the day it started, None
    otherwise); days before that start do not count as idle."""
    if active_since is None or active_since > today:
        return None
    threshold = inactive_days()
    since = max(d for d in (last_activity, active_since) if d is not None)
    idle = (today - since).days
    if idle < threshold:
        return None
    if last_activity is None or last_activity < active_since:
        return Flag(INACTIVE, _("Nothing logged since the programme started on %(start)s "
                                "(%(days)s).") % {"start": _date(active_since), "days": _days(idle)})
    return Flag(INACTIVE, _("Nothing logged for %(days)s: the last check-in, exercise or "
                            "shared entry was on %(last)s.") % {"days": _days(idle), "last": _date(last_activity)})


def pain_rise(baseline: int | None, recent: float | None) -> Flag | None:
    """The mean pain of the last 7 days is at least CLINIC_FLAG_PAIN_RISE_PERCENT percent above
    the baseline (the first pain score of the current programme). From a baseline of 0 any
    rise counts: no percentage of nothing can say otherwise."""
    if baseline is None or recent is None:
        return None
    percent = _setting("CLINIC_FLAG_PAIN_RISE_PERCENT")
    before, after = Fraction(baseline), Fraction(str(recent))
    if after <= before or (after - before) * 100 < percent * before:
        return None
    rise = f" (+{round((after - before) * 100 / before)}%)" if before else ""
    return Flag(PAIN, _("Pain averaged %(recent)s over the last 7 days, up from %(baseline)s "
                        "at the start of the programme%(rise)s.") % {
        "recent": _one_decimal(recent), "baseline": baseline, "rise": rise})


def questionnaire_overdue(due_on: dt.date | None, today: dt.date) -> Flag | None:
    """A questionnaire was due CLINIC_FLAG_QUESTIONNAIRE_OVERDUE_DAYS days ago or more and is
    not answered. `due_on` comes from the questionnaire schedule (see
    clinicians.caseload.questionnaire_due_dates, the hook where outcomes' schedule plugs in)."""
    if due_on is None:
        return None
    late = (today - due_on).days
    if late < _setting("CLINIC_FLAG_QUESTIONNAIRE_OVERDUE_DAYS"):
        return None
    return Flag(QUESTIONNAIRE, _("A questionnaire due on %(due)s is not answered "
                                 "(%(days)s late).") % {"due": _date(due_on), "days": _days(late)})


def follow_up_due(next_visit: dt.datetime | None, now: dt.datetime, zone: dt.tzinfo) -> Flag | None:
    """A scheduled follow-up within CLINIC_FLAG_FOLLOW_UP_DAYS days, or one whose time has
    passed without being recorded as done or missed."""
    if next_visit is None:
        return None
    local = next_visit.astimezone(zone)
    when = _("%(day)s at %(time)s") % {"day": _date(local.date()), "time": f"{local:%H:%M}"}
    if next_visit < now:
        return Flag(FOLLOW_UP, _("The follow-up visit of %(when)s is not recorded as done or "
                                 "missed.") % {"when": when})
    if next_visit - now > follow_up_window():
        return None
    return Flag(FOLLOW_UP, _("Follow-up visit on %(when)s.") % {"when": when})


def flags_for(
    *,
    today: dt.date,
    now: dt.datetime,
    zone: dt.tzinfo,
    open_alerts: int = 0,
    last_activity: dt.date | None = None,
    active_since: dt.date | None = None,
    baseline: int | None = None,
    recent_pain: float | None = None,
    questionnaire_due: dt.date | None = None,
    next_visit: dt.datetime | None = None,
) -> list[Flag]:
    """Every flag one patient's figures raise, most urgent first."""
    found = [
        safety_alert(open_alerts),
        pain_rise(baseline, recent_pain),
        inactive(last_activity, active_since, today),
        questionnaire_overdue(questionnaire_due, today),
        follow_up_due(next_visit, now, zone),
    ]
    return sorted((f for f in found if f is not None), key=lambda f: _ORDER[f.code])


# --- the same rules in SQL, for filtering and ordering a whole caseload -----------------------
# clinicians.caseload_keys annotates each patient with the figures named below (as the rules
# above take them) and filters or orders on these conditions, so a page of 25 is cut in the
# database. Each condition must say exactly what its rule says; tests/clinicians/
# test_dashboard.py compares the two at each threshold. The questionnaire rule has no twin:
# its due dates come from outcomes' schedule in Python (see caseload_keys).


def mean_tenths(total: int, count: int) -> int:
    """A mean in tenths, rounded half up: integers only, so the database (which computes the
    same expression for the whole caseload) and Python agree at every threshold."""
    return (20 * total + count) // (2 * count)


def sql_conditions(now: dt.datetime) -> dict[str, Q]:
    """{flag code: a condition on the annotations local_day, inactive_before, open_alerts,
    current_status, current_start, idle_since, baseline_pain, pain_up, pain_margin and
    next_visit_at}."""
    return {
        SAFETY: Q(open_alerts__gt=0),
        # pain_rise: recent > baseline and (recent - baseline) * 100 >= percent * baseline, with
        # recent = tenths / 10: pain_up = tenths - 10 * baseline > 0 and
        # pain_margin = 10 * tenths - baseline * (100 + percent) >= 0.
        PAIN: Q(pain_up__gt=0, pain_margin__gte=0),
        # inactive: a programme under way since a day not after today, and the later of the
        # last activity and that start at least the threshold ago.
        INACTIVE: Q(
            current_status="active",
            current_start__lte=F("local_day"),
            idle_since__lte=F("inactive_before"),
        ),
        # follow_up_due: a visit within the window, or one whose time has passed.
        FOLLOW_UP: Q(next_visit_at__lte=now + follow_up_window()),
    }


def pain_margin_factor() -> int:
    """100 + the pain rise threshold in percent (see sql_conditions)."""
    return 100 + _setting("CLINIC_FLAG_PAIN_RISE_PERCENT")


def inactive_days() -> int:
    return _setting("CLINIC_FLAG_INACTIVE_DAYS")


def follow_up_window() -> dt.timedelta:
    """How soon a scheduled follow-up is flagged as due (CLINIC_FLAG_FOLLOW_UP_DAYS)."""
    return dt.timedelta(days=_setting("CLINIC_FLAG_FOLLOW_UP_DAYS"))


def _one_decimal(value: float) -> str:
    """Rounded as before (Python's format), written the active language's way (3.6 / 3,6)."""
    return number_format(Decimal(f"{value:.1f}"), 1)


def thresholds() -> list[int]:
    """Every setting the rules read (clinicians.caseload_stamp keys cached pages by them)."""
    return [_setting(name) for name in SETTINGS]
