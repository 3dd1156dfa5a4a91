"""Create the demo clinic, people, programme enrolment and history (DEBUG only)."""

from __future__ import annotations

import importlib
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from recovery.demo import DEMO_PASSWORD, DEMO_TOTP_SECRETS, seed_people

# Each app adds its part of the demo in <app>/demo.py as `seed(people)`, in this order.
APP_SEEDERS = ["programs.demo", "journaling.demo", "outcomes.demo", "clinicians.demo"]


class Command(BaseCommand):
    help = "Create demo accounts and data. Idempotent; refuses to run with DEBUG off."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG on: it creates known passwords.")
        with transaction.atomic():
            people = seed_people()
            for module_name in APP_SEEDERS:
                try:
                    module = importlib.import_module(module_name)
                except ModuleNotFoundError:
                    continue
                module.seed(people)
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
