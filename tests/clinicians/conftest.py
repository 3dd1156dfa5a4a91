"""Fixtures shared by the clinician page tests."""

from __future__ import annotations

import pytest

from programs import cohorts
from tests.programs.test_cohorts import enrol, make_cohort, make_version, ny_clinic


@pytest.fixture
def cohort(clinician, patient):
    """Three weekly Monday meetings from 2 March: two held, one ahead (16 March)."""
    ny_clinic()
    version = make_version(weeks=3)
    cohort = make_cohort(version, clinician, name="Monday group")
    cohorts.join_cohort(cohort, enrol(patient, clinician, version), clinician)
    cohorts.generate_occurrences(cohort)
    return cohort
