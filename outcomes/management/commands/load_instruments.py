"""manage.py load_instruments: load and publish every shipped outcomes/instruments/*.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from outcomes.definitions import INSTRUMENTS_DIR, DefinitionError, import_directory


class Command(BaseCommand):
    help = (
        "Load and publish every instrument definition (.yaml) of a folder (default: the shipped "
        "outcomes/instruments). Idempotent: versions already loaded are left as they are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=INSTRUMENTS_DIR, help="Folder of .yaml files.")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["dir"]
        if not directory.is_dir():
            raise CommandError(f"No such folder: {directory}")
        try:
            results = import_directory(directory)
        except DefinitionError as exc:
            raise CommandError("Some instruments were not loaded:\n  " + "\n  ".join(exc.errors)) from exc
        for path, result in results:
            version = result.version
            state = "loaded" if result.created else "unchanged"
            enabled = "enabled" if version.enabled else "disabled"
            self.stdout.write(f"  {path.name}: {version.code} version {version.number} {state} ({enabled})")
        self.stdout.write(self.style.SUCCESS(f"{len(results)} instrument versions loaded."))
