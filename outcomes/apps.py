from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes and questionnaires"

    def ready(self) -> None:
        from programs import screening, versions
        from programs.yaml_io import register_section
        from recovery import exports, panels
        from recovery.demo import register_seeder

        from . import demo, fhir, gate, reminders, schedule_yaml
        from .today import questionnaires_panel

        panels.register("questionnaires", order=10, build=questionnaires_panel)
        # The schedule travels with the curriculum's YAML and with a new draft.
        register_section(
            schedule_yaml.SECTION, schedule_yaml.parse, schedule_yaml.import_, schedule_yaml.export
        )
        versions.register_draft_copier("outcomes.schedule", schedule_yaml.copy_to_draft)
        # A severe PHQ-9 or a thought of self-harm holds the group screening (seed 003).
        screening.register_gate_check("outcomes.phq9", gate.phq9_gate)
        # The patient's own results, as FHIR, in My data's JSON download.
        exports.register("questionnaires_fhir", build=fhir.bundle_for)
        # The demo patient's questionnaires, and former patients for the outcomes page.
        register_seeder("outcomes", order=30, seed=demo.seed)
        # A questionnaire due (patient) and a safety alert (care team): recovery.notifications.
        reminders.register()
        # Cached pages follow every write to these (recovery.freshness).
        from recovery import freshness

        from .models import QuestionnaireResponse, SafetyAlert

        freshness.track(QuestionnaireResponse)
        freshness.track(SafetyAlert)
