"""Django's ModelBackend, loading what every page reads of the signed-in person with them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class UserBackend(ModelBackend):
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
        return user if self.user_can_authenticate(user) else None
