"""The programmes app's models: curricula (curricula.py) and how they reach patients
(delivery.py). Import them from here: `from programs.models import Enrolment`."""

from .curricula import (
    WEEKDAY_NAMES,
    ExerciseTemplate,
    FrozenVersionError,
    Program,
    ProgramVersion,
    ProgramVersionQuerySet,
    Session,
    VersionContent,
    VersionContentQuerySet,
    Week,
    normalise_newlines,
    unix_newlines,
)
from .delivery import (
    Attendance,
    Cohort,
    CohortMembership,
    Enrolment,
    EnrolmentPause,
    EnrolmentQuerySet,
    Occurrence,
    Screening,
)

__all__ = [
    "WEEKDAY_NAMES",
    "Attendance",
    "Cohort",
    "CohortMembership",
    "Enrolment",
    "EnrolmentPause",
    "EnrolmentQuerySet",
    "ExerciseTemplate",
    "FrozenVersionError",
    "Occurrence",
    "Program",
    "ProgramVersion",
    "ProgramVersionQuerySet",
    "Screening",
    "Session",
    "VersionContent",
    "VersionContentQuerySet",
    "Week",
    "normalise_newlines",
    "unix_newlines",
]
