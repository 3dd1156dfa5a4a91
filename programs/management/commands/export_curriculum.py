"""manage.py export_curriculum SLUG [--version N]: print a programme version as YAML."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from programs.models import Program
from programs.yaml_io import export_curriculum


class Command(BaseCommand):
    help = "Print one programme version as curriculum YAML (default: the newest published)."

    def add_base_argument(self, parser: Any, *args: Any, **kwargs: Any) -> None:
        # `--version N` chooses a programme version here, so Django's own --version gives way.
        if "--version" not in args:
            super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The programme's slug, e.g. mbm-workshop.")
        parser.add_argument(
            "--version", dest="number", type=int, help="Version number (any status)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        program = Program.objects.filter(slug=options["slug"]).first()
        if program is None:
            known = ", ".join(Program.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No programme {options['slug']!r} (known: {known}).")
        if options["number"] is not None:
            version = program.versions.filter(number=options["number"]).first()
            if version is None:
                numbers = ", ".join(str(n) for n in program.versions.values_list("number", flat=True))
                raise CommandError(
                    f"{program.slug} has no version {options['number']} (versions: {numbers or 'none'})."
                )
        else:
            version = program.latest_published()
            if version is None:
                raise CommandError(
                    f"{program.slug} has no published version; choose one with --version N."
                )
        self.stdout.write(export_curriculum(version), ending="")
