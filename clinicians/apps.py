from django.apps import AppConfig


class CliniciansConfig(AppConfig):
    name = "clinicians"
    verbose_name = "Clinicians and care teams"

    def ready(self) -> None:
        from recovery import demo, panels

        from . import demo_caseload, reminders, visits

        # The weekly caseload digest (recovery.notifications.registry).
        reminders.register()
        panels.register("next-visit", order=20, build=visits.today_panel)
        demo.register_seeder("clinicians-caseload", order=45, seed=demo_caseload.seed)
