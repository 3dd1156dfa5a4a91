"""Whose data changed: every write to a person's records gives them a new `User.data_stamp`.

Cached pages (recovery.page_cache) are keyed by the stamp of the people they show, so a page
is never served from a copy older than the data: nothing has to remember to invalidate, and
a page knows its copy is current without a query (the user row is loaded on every request).

Apps declare their own models from AppConfig.ready() (the core knows no feature):

    freshness.track(CheckIn)                                   # has a `patient` foreign key
    freshness.track(EnrolmentPause, lambda p: [p.enrolment.patient_id])
    freshness.track(Occurrence, members_of_cohort)             # shared rows: everyone shown them

Saves and deletes through the ORM are seen by signals (a queryset's `delete()` sends them per
row too). A queryset `update()` or `bulk_create()` is not: code that writes that way calls
`touch(patient_id, ...)` itself (journaling.stressors, clinicians.care_teams).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, models
from django.db.models.signals import post_delete, post_save

PatientsOf = Callable[[Any], Iterable[int | None]]

_tracked: dict[type[models.Model], PatientsOf] = {}
_fields: dict[type[models.Model], frozenset[str]] = {}


def _patient_id(instance: Any) -> list[int | None]:
    return [instance.patient_id]


def new_stamp() -> int:
    # Positive and below 2**62: summed over a caseload in two 31-bit halves it stays inside a
    # 64-bit integer (clinicians.caseload_stamp), and 0 stays "never written".
    return secrets.randbits(62) or 1


def touch(*patient_ids: int | None) -> None:
    """Give these people a new data stamp (in the current transaction, if any: the stamp and
    the data it describes are committed together)."""
    from .models import User

    ids = sorted({pk for pk in patient_ids if pk is not None})
    if ids:
        # Plain SQL: it runs on every write (the check-in's own UPDATE is the only other
        # statement there), and building the ORM's update cost more than running it.
        table = connection.ops.quote_name(User._meta.db_table)
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET data_stamp = %s WHERE id IN ({marks})",  # noqa: S608
                [new_stamp(), *ids],
            )


# What every patient's pages show alike and changes rarely (the questionnaires the clinic
# offers): a write to it gives everyone's pages a new stamp at once, kept in the cache.
EVERYONE_KEY = "freshness:everyone"


def touch_everyone() -> None:
    """Every cached page is stale: something all of them may show changed."""
    from django.core.cache import cache

    cache.set(EVERYONE_KEY, new_stamp(), None)


def _changed(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loaddata: fixtures are not writes by anyone
        return
    fields, saved = _fields.get(sender), kwargs.get("update_fields")
    if fields is not None and saved is not None and not fields & set(saved):
        return  # a save of other columns only (a sign-in's last_login)
    patients_of = _tracked.get(sender)
    if patients_of is not None:
        touch(*patients_of(instance))


def track(
    model: type[models.Model],
    patients_of: PatientsOf = _patient_id,
    fields: frozenset[str] | None = None,
) -> None:
    """Every save or delete of `model` changes the data stamp of `patients_of(instance)`;
    with `fields`, a save naming other `update_fields` only does not."""
    _tracked[model] = patients_of
    if fields is not None:
        _fields[model] = fields
    uid = f"freshness:{model._meta.label}"
    post_save.connect(_changed, sender=model, dispatch_uid=uid)
    post_delete.connect(_changed, sender=model, dispatch_uid=uid)


def tracked() -> dict[type[models.Model], PatientsOf]:
    return dict(_tracked)
