"""Print the current TOTP code of a demo account, so a newcomer can sign in without a phone."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from recovery.models import User


def current_code(user: User, at: float | None = None) -> str:
    auth = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if auth is None:
        raise CommandError(f"{user.email} has no authenticator app set up.")
    secret = decrypt(auth.data["secret"])
    return format_hotp_value(hotp_value(secret, int((at or time.time()) // 30)))


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (DEBUG only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_totp only runs with DEBUG on.")
        user = User.objects.filter(email=options["email"].lower()).first()
        if user is None:
            raise CommandError(f"No account {options['email']}.")
        code = current_code(user)
        remaining = 30 - int(time.time()) % 30
        self.stdout.write(code)
        self.stderr.write(f"(valid for about {remaining} more seconds)")
