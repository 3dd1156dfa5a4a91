"""Curricula as YAML: one file holds one programme version (see programs/curricula/*.yaml).

    program:   slug, title, summary, source, is_group, requires_screening
    version:   number, title, description, source, changelog
    weeks:     [{number, title, goals, education}]
    sessions:  [{slug, kind, title, week, day, duration_minutes, agenda, aims, placeholder}]
    exercises: [{slug, kind, title, instructions, prompt, media_url, estimated_minutes, weeks,
                 cadence, weekdays, times_per_week, once_week, once_day, rest_days, placeholder}]
    translations: optional on the version and on each week, session and exercise:
               {es: {title: ..., instructions: ...}}, only the text fields a reader sees
               (programs.i18n.TRANSLATABLE); anything left out shows the original
    ...:       sections apps above programs register (sections.register_section), e.g.
               outcomes' `questionnaires:` schedule

Field names mirror programs/models/curricula.py; fields.py gives each its type and bounds.
schema.py checks a document (`parse_curriculum` reports every error with the path of the
field), importing.py writes one version atomically (`import_curriculum`), exporting.py writes
YAML that parses back to the same data (`export_curriculum`).
"""

from .exporting import export_curriculum, version_data
from .fields import F
from .importing import (
    CURRICULA_DIR,
    ImportResult,
    import_curriculum,
    import_directory,
    import_result,
)
from .schema import CurriculumError, check_list, fmt, parse_curriculum, validate_curriculum
from .schema import _Loader as StrictLoader  # a SafeLoader that refuses duplicate keys
from .sections import register_section

__all__ = [
    "CURRICULA_DIR",
    "CurriculumError",
    "F",
    "ImportResult",
    "StrictLoader",
    "check_list",
    "export_curriculum",
    "import_curriculum",
    "import_directory",
    "import_result",
    "fmt",
    "parse_curriculum",
    "register_section",
    "validate_curriculum",
    "version_data",
]
