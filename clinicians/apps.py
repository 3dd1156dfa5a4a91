from django.apps import AppConfig


class CliniciansConfig(AppConfig):
    name = "clinicians"
    verbose_name = "Clinicians and care teams"

    def ready(self) -> None:
        from . import reminders

        # The weekly caseload digest (recovery.notifications.registry).
        reminders.register()
