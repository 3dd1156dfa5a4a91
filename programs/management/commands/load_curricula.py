"""manage.py load_curricula: import and publish every shipped programs/curricula/*.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from programs.yaml_io import CURRICULA_DIR, CurriculumError, import_directory


class Command(BaseCommand):
    help = (
        "Import and publish every curriculum YAML file of a folder (default: the shipped "
        "programs/curricula). Idempotent: files already imported are left as they are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=CURRICULA_DIR, help="Folder of .yaml files.")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["dir"]
        if not directory.is_dir():
            raise CommandError(f"No such folder: {directory}")
        try:
            results = import_directory(directory)
        except CurriculumError as exc:
            raise CommandError("Some curricula were not imported:\n  " + "\n  ".join(exc.errors)) from exc
        for path, result in results:
            version = result.version
            state = "imported" if result.created else "unchanged"
            self.stdout.write(
                f"  {path.name}: {version.program.slug} version {version.number} {state} "
                f"({version.status})"
            )
        self.stdout.write(self.style.SUCCESS(f"{len(results)} curricula loaded."))
