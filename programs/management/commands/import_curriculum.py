"""manage.py import_curriculum FILE [--draft]: import one curriculum YAML file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from programs.yaml_io import CurriculumError, import_result


class Command(BaseCommand):
    help = (
        "Import one programme version from a YAML file and publish it (or keep it a draft "
        "with --draft). Re-importing identical content changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path to the curriculum .yaml file.")
        parser.add_argument(
            "--draft", action="store_true", help="Leave the new version as a draft."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            result = import_result(path, publish=not options["draft"])
        except CurriculumError as exc:
            raise CommandError(f"{path.name}: not imported:\n  " + "\n  ".join(exc.errors)) from exc
        version = result.version
        what = "Imported" if result.created else "Already there, unchanged:"
        if not result.created and result.published:
            what = "Already there, now published:"
        self.stdout.write(
            self.style.SUCCESS(
                f"{what} {version.program.slug} version {version.number} ({version.status})"
            )
        )
