"""What makes a curriculum publishable: one set of rules, over model instances saved or not.

The admin's publish (versions.validation_errors, on a stored version) and the YAML importer
(yaml_io.schema, on unsaved instances built from a checked document) run these same rules, so
neither can accept what the other would refuse. Each rule answers with a Problem naming the item
and field at fault; the admin words it after the item ("Exercise “Walk”: ..."), the importer
after the path in the file ("exercises[1].weeks: ...").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .models import WEEKDAY_NAMES, ExerciseTemplate, Program, Session, Week

Cadence = ExerciseTemplate.Cadence
Item = Program | Week | Session | ExerciseTemplate | None


@dataclass(frozen=True, eq=False)
class Problem:
    item: Item  # None: the version as a whole
    field: str | None  # the field at fault, when one is
    message: str  # a sentence that reads after either the item's name or a path

    def __str__(self) -> str:
        """The admin's wording: the item's name, then the message."""
        item = self.item
        if isinstance(item, Program):
            return f"Programme “{item.title}”: {self.message}"
        if isinstance(item, Week):
            return f"Week {item.number} “{item.title}”: {self.message}"
        if isinstance(item, Session):
            return f"Session “{item.title}”: {self.message}"
        if isinstance(item, ExerciseTemplate):
            return f"Exercise “{item.title}”: {self.message}"
        return self.message[:1].upper() + self.message[1:]


def _int_list(value: Any) -> list[int] | None:
    """The value as a list of integers, or None when it is not one (JSON fields take anything)."""
    if not isinstance(value, list):
        return None
    if any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        return None
    return value


def _days(days: Sequence[int]) -> str:
    names = [WEEKDAY_NAMES[d] for d in sorted(days)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _exercise_problems(ex: ExerciseTemplate, n_weeks: int) -> list[Problem]:
    problems: list[Problem] = []

    def add(field: str, message: str) -> None:
        problems.append(Problem(ex, field, message))

    weeks = _int_list(ex.weeks)
    if weeks is None:
        add("weeks", "weeks must be a list of week numbers such as [1, 2].")
        weeks = []
    elif not weeks:
        add("weeks", "choose at least one week it is active in.")
    outside = sorted({w for w in weeks if not 1 <= w <= n_weeks})
    if outside:
        add(
            "weeks",
            f"week {', '.join(map(str, outside))} is not a week of this version (1–{n_weeks}).",
        )
    rest = _int_list(ex.rest_days)
    if rest is None:
        add("rest_days", "rest days must be a list of weekdays (0=Monday … 6=Sunday).")
        rest = []
    elif any(not 0 <= d <= 6 for d in rest):
        add("rest_days", "rest days must be weekdays 0 (Monday) to 6 (Sunday).")
        rest = []
    elif len(set(rest)) == 7:
        add("rest_days", "every day is a rest day, so it would never be due.")
    free = 7 - len(set(rest))
    cadence = ex.cadence

    if cadence == Cadence.WEEKDAYS:
        weekdays = _int_list(ex.weekdays)
        if not weekdays:
            add("weekdays", "choose at least one weekday for “On given weekdays”.")
        elif any(not 0 <= d <= 6 for d in weekdays):
            add("weekdays", "weekdays must be 0 (Monday) to 6 (Sunday).")
        elif set(weekdays) <= set(rest):
            add("rest_days", "all its weekdays are rest days, so it would never be due.")
        elif clash := set(weekdays) & set(rest):
            # exercise_due checks rest days first: a weekday that is also a rest day vanishes.
            verb = "is" if len(clash) == 1 else "are"
            add(
                "rest_days",
                f"{_days(list(clash))} {verb} also among its weekdays, so it would never be due "
                "then; remove it from one of the two lists.",
            )
    elif ex.weekdays:
        add("weekdays", "weekdays are only used with the cadence “On given weekdays”; clear them.")

    if cadence == Cadence.TIMES_PER_WEEK:
        n = ex.times_per_week
        if n is None or not 1 <= n <= free:
            add(
                "times_per_week",
                f"times per week must be between 1 and {free} (7 days minus {7 - free} rest "
                f"days); it is {n if n is not None else 'empty'}.",
            )
    elif ex.times_per_week is not None:
        add("times_per_week", "times per week is only used with the cadence “N times a week”; "
                              "clear it.")

    if cadence == Cadence.ONCE:
        if ex.once_day is None or not 1 <= ex.once_day <= 7:
            add("once_day", "“once” needs a day of the week between 1 and 7.")
        # The schedule's default: the first active week (programs.schedule.exercise_due).
        once_week = ex.once_week or (min(weeks) if weeks else None)
        if once_week is None or once_week not in weeks:
            add("once_week",
                f"its “once” week {once_week or '(none)'} must be one of its active weeks.")
        if rest:
            # exercise_due checks rest days first, so the one day could silently vanish.
            add("rest_days", "rest days do not apply to a one-off exercise; clear them.")
    else:
        for name, label in (("once_week", "week"), ("once_day", "day")):
            if getattr(ex, name) is not None:
                add(name, f"the “once” {label} is only used with the cadence “Once, on a given "
                          "day”; clear it.")

    if cadence not in Cadence.values:
        add("cadence", f"unknown cadence “{cadence}”.")
    return problems


def _session_problems(session: Session, n_weeks: int, program: Program | None) -> list[Problem]:
    problems = []
    if program is not None and session.is_group_meeting and not program.is_group:
        problems.append(Problem(
            session, "kind",
            f"a {session.get_kind_display().lower()} needs a group programme; make the "
            "programme a group programme (is_group) or choose another kind.",
        ))
    if not 1 <= session.week <= n_weeks:
        problems.append(Problem(
            session, "week", f"week {session.week} is not a week of this version (1–{n_weeks})."
        ))
    if not 1 <= session.day <= 7:
        problems.append(Problem(session, "day", f"day {session.day} must be between 1 and 7."))
    if not session.duration_minutes or session.duration_minutes <= 0:
        problems.append(
            Problem(session, "duration_minutes", "the duration must be more than 0 minutes.")
        )
    return problems


def curriculum_problems(
    program: Program | None,
    weeks: Sequence[Week | None],
    sessions: Sequence[Session],
    exercises: Sequence[ExerciseTemplate],
    *,
    complete: bool = True,
) -> list[Problem]:
    """Everything that stops this content from being published; empty when it may be.

    `weeks` in the order they are numbered (None for one the caller could not read: it still
    counts); `program` None when unknown. `complete` False when the caller dropped unreadable
    sessions or exercises: the rules about something missing (an empty week, a group programme
    without a group session) are then left out rather than guessed.
    """
    problems: list[Problem] = []
    n = len(weeks)
    if n == 0:
        problems.append(Problem(None, "weeks", "add at least one week."))
    if program is not None:
        if program.requires_screening and not program.is_group:
            problems.append(Problem(
                program, "requires_screening",
                "screening is for joining a group, so only a group programme (is_group) can "
                "require it.",
            ))
        if program.is_group and complete and not any(s.is_group_meeting for s in sessions):
            problems.append(Problem(
                program, "is_group",
                "a group programme needs at least one group session or retreat day.",
            ))
    busy = {s.week for s in sessions} | {
        w for ex in exercises for w in (_int_list(ex.weeks) or [])
    }
    for i, week in enumerate(weeks):
        if week is None:
            continue
        if week.number != i + 1:
            problems.append(Problem(
                week, "number",
                f"should be number {i + 1}: weeks are numbered 1 to {n} in order, without gaps.",
            ))
        if complete and week.number not in busy and not week.education.strip():
            problems.append(Problem(
                week, None,
                "nothing is planned that week; add an exercise active in it, a session or "
                "education text.",
            ))
    for ex in exercises:
        problems.extend(_exercise_problems(ex, n))
    for session in sessions:
        problems.extend(_session_problems(session, n, program))
    return problems
