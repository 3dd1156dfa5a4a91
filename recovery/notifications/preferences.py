"""Changing what a person receives: the account page and the unsubscribe link both come here."""

from __future__ import annotations

from django.db import transaction

from . import registry, tokens
from .models import NotificationPreference


def unsubscribe(user_id: int, kind: str) -> NotificationPreference:
    """Stop one kind (or, for tokens.ALL, pause everything). Idempotent: a second call, a
    replayed token or a mail client's automatic POST change nothing more."""
    with transaction.atomic():
        prefs, _ = NotificationPreference.objects.select_for_update().get_or_create(user_id=user_id)
        if kind == tokens.ALL:
            prefs.paused = True
        elif kind not in prefs.muted_kinds and registry.get(kind) is not None:
            prefs.muted_kinds = sorted([*prefs.muted_kinds, kind])
        prefs.save()
    return prefs
