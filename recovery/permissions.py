"""What a clinic's admin may do in the Django admin, by model (issue 11, item 1).

Clinic admins are not superusers of the deployment: they hold exactly the model permissions
apps grant here, and every ModelAdmin holding clinic data still narrows its rows to their
clinic (recovery.access.ClinicScopedMixin). The deployment *operator* is a superuser, made
with `manage.py createsuperuser`: deployment-wide models (groups, workers' heartbeats,
licensed instruments, every user's sessions) are theirs alone.

Each app grants its own models from its admin module (the core knows no feature):

    grant_clinic_admin(Program, "view", "add", "change", "delete")

A ModelAdmin's own has_*_permission methods may narrow further (read-only lists, frozen
versions); they never widen what is granted here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model

ACTIONS = ("view", "add", "change", "delete")

# "app_label.model_name" -> the actions a clinic admin may take on it.
_grants: dict[str, frozenset[str]] = {}


def grant_clinic_admin(model: type[Model], *actions: str) -> None:
    unknown = set(actions) - set(ACTIONS)
    if unknown:
        raise ValueError(f"unknown admin actions: {sorted(unknown)}")
    label = f"{model._meta.app_label}.{model._meta.model_name}"
    _grants[label] = frozenset(actions) | _grants.get(label, frozenset())


def granted(app_label: str, model_name: str) -> frozenset[str]:
    return _grants.get(f"{app_label}.{model_name}", frozenset())


def _is_clinic_admin(user: Any) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_admin", False))


class ClinicAdminBackend:
    """An authentication backend that authenticates nobody and answers permissions for clinic
    admins from the grants above (Django asks every backend; superusers never get here)."""

    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def has_perm(self, user: Any, perm: str, obj: Any = None) -> bool:
        if not _is_clinic_admin(user) or "." not in perm:
            return False
        app_label, codename = perm.split(".", 1)
        action, _, model_name = codename.partition("_")
        return action in granted(app_label, model_name)

    def has_module_perms(self, user: Any, app_label: str) -> bool:
        if not _is_clinic_admin(user):
            return False
        return any(label.split(".")[0] == app_label and actions
                   for label, actions in _grants.items())
