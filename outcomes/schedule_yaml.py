"""The `questionnaires:` section of a curriculum (programs.yaml_io.register_section) and the
copy of a schedule into a new draft (programs.versions.register_draft_copier).

    questionnaires:
      - {instrument: PHQ-9, when: baseline, window_days: 7}
      - {instrument: PEG-3, when: weekly, window_days: 7}
      - {instrument: PEG-3, when: week, week: 4, window_days: 7}
      - {instrument: NRS, when: end, window_days: 14}
      - {instrument: NRS, when: follow_up, months: 6, window_days: 28}
"""

from __future__ import annotations

from typing import Any

from programs.models import ProgramVersion
from programs.yaml_io import F, check_list, fmt

from .models import QuestionnaireSchedule
from .scoring import CODES

SECTION = "questionnaires"
When = QuestionnaireSchedule.When
FIELDS = {
    "instrument": F("choice", required=True, choices=CODES),
    "when": F("choice", required=True, choices=tuple(When.values)),
    "week": F("int", nullable=True, low=1, high=260),
    "months": F("int", nullable=True, low=1, high=120),
    "window_days": F("int", default=7, low=1, high=366),
}


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["instrument"], row["when"], row["week"], row["months"])


def parse(raw: Any, errors: list[str]) -> list[dict[str, Any]]:
    """The section's rows, normalized (absent keys filled in), in a stable order."""
    if raw is None:
        return []
    rows = check_list(raw, FIELDS, (SECTION,), errors)
    if rows is None:
        return []
    seen: dict[tuple[Any, ...], int] = {}
    for i, row in enumerate(rows):
        if row is None:
            continue
        where = fmt((SECTION, i))
        if row["when"] == When.WEEK and row["week"] is None:
            errors.append(f"{where}.week: required when `when` is week")
        if row["when"] != When.WEEK and row["week"] is not None:
            errors.append(f"{where}.week: only `when: week` takes a week")
        if row["when"] == When.FOLLOW_UP and row["months"] is None:
            errors.append(f"{where}.months: required when `when` is follow_up (e.g. 3, 6, 12)")
        if row["when"] != When.FOLLOW_UP and row["months"] is not None:
            errors.append(f"{where}.months: only `when: follow_up` takes months")
        if _key(row) in seen:
            errors.append(f"{where}: the same as {fmt((SECTION, seen[_key(row)]))}")
        seen.setdefault(_key(row), i)
    valid = [r for r in rows if r is not None]
    return sorted(valid, key=lambda r: (r["instrument"], _order(r)))


def _order(row: dict[str, Any]) -> tuple[int, int]:
    rank = list(When.values).index(row["when"])
    return rank, row["week"] or row["months"] or 0


def import_(version: ProgramVersion, rows: list[dict[str, Any]]) -> None:
    QuestionnaireSchedule.objects.bulk_create(
        [QuestionnaireSchedule(version=version, **row) for row in rows]
    )


def export(version: ProgramVersion) -> list[dict[str, Any]]:
    """The stored schedule as YAML rows (empty keys left out), in parse's order."""
    rows = [{f: getattr(s, f) for f in FIELDS} for s in version.questionnaire_schedules.all()]
    rows.sort(key=lambda r: (r["instrument"], _order(r)))
    return [{k: v for k, v in r.items() if v is not None} for r in rows]


def copy_to_draft(source: ProgramVersion, draft: ProgramVersion) -> None:
    import_(draft, [
        {f: getattr(s, f) for f in FIELDS} for s in source.questionnaire_schedules.all()
    ])
