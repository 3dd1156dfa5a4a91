from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes and questionnaires"

    def ready(self) -> None:
        from recovery import panels

        from .today import questionnaires_panel

        panels.register("questionnaires", order=10, build=questionnaires_panel)
