"""Fixtures for outcomes: the shipped instruments, loaded once per test that needs them."""

from __future__ import annotations

import pytest

from outcomes.definitions import import_directory
from outcomes.models import InstrumentVersion


@pytest.fixture
def instruments(db) -> dict[str, InstrumentVersion]:
    """Every shipped instrument version, by code."""
    return {result.version.code: result.version for _, result in import_directory()}
