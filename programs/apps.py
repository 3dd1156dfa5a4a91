from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Programmes and curricula"

    def ready(self) -> None:
        from recovery.demo import register_seeder
        from recovery.signals import purge_patient_data

        from . import deletion, demo, reminders

        # A purged account's open enrolments are withdrawn (the clinic keeps the record).
        purge_patient_data.connect(deletion.purge_patient_data, dispatch_uid="programs.purge")
        # The demo patient's programme, cohort and attendance.
        register_seeder("programs", order=10, seed=demo.seed)
        # Its reminder kinds (recovery.notifications.registry).
        reminders.register()
