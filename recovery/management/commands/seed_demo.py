"""Create the demo clinic, people, programme enrolment and history (DEBUG only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from recovery.demo import DEMO_PASSWORD, DEMO_TOTP_SECRETS, seed_people, seeders


class Command(BaseCommand):
    help = "Create demo accounts and data. Idempotent; refuses to run with DEBUG off."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG on: it creates known passwords.")
        with transaction.atomic():
            people = seed_people()
            # Each app registered its part in AppConfig.ready() (recovery.demo); one that
            # fails stops the command and rolls the whole demo back.
            for _name, seed in seeders():
                seed(people)
        self.stdout.write(
            self.style.SUCCESS(f"Demo accounts (password for all: {DEMO_PASSWORD})")
        )
        for user in (people.admin, people.clinician, people.patient):
            secret = DEMO_TOTP_SECRETS.get(user.email)
            extra = (
                f"  TOTP secret {secret}  (code: manage.py demo_totp {user.email})"
                if secret
                else ""
            )
            self.stdout.write(f"  {user.role:<10} {user.email:<22}{extra}")
