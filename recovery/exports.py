"""Parts that apps add to the patient's "My data" download, so journaling's export includes
what apps above it hold (outcomes' questionnaire results as FHIR) without importing them.

Each app registers from its AppConfig.ready():

    from recovery import exports
    exports.register("questionnaires_fhir", build=fhir_bundle_for)

`build(patient)` returns JSON-serialisable data, written under `name` in the JSON download.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .models import User

Builder = Callable[[User], Any]

_registry: dict[str, Builder] = {}


def register(name: str, build: Builder) -> None:
    """Add (or replace, so a repeated ready() is harmless) one part of the export."""
    _registry[name] = build


def parts(patient: User) -> dict[str, Any]:
    """Every registered part for `patient`, by name, in registration order."""
    return {name: build(patient) for name, build in _registry.items()}
