"""Authentication backends loading what every page reads of the signed-in person with them."""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend


class _LoadsClinicAndProfile:
    """Every signed-in page reads the user's clinic (crisis link, scoping) and profile (time
    zone, display name): one query with the user instead of three (issue 12)."""

    def get_user(self, user_id: Any) -> Any:
        from .models import User

        try:
            user = User.objects.select_related(
                "clinic", "patient_profile", "clinician_profile"
            ).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None  # type: ignore[attr-defined]


class UserBackend(_LoadsClinicAndProfile, ModelBackend):
    """Django's ModelBackend (the admin's sign-in, `login(..., backend=...)` after joining)."""


class AccountBackend(_LoadsClinicAndProfile, AuthenticationBackend):
    """allauth's backend (every sign-in through the sign-in page). A session remembers the
    backend that signed it in and asks it for the user on each request: allauth's own would
    load the clinic and the profile in two more queries on every page."""
