"""{% deletion_due_date user as due %}: the local date a pending account deletion happens."""

from __future__ import annotations

import datetime as dt

from django import template

from journaling.deletion import local_due_date

register = template.Library()


@register.simple_tag
def deletion_due_date(user: object) -> dt.date | None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_patient", False):
        return None
    profile = getattr(user, "patient_profile", None)
    return local_due_date(profile) if profile is not None else None
