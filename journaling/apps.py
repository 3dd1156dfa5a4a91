from django.apps import AppConfig


class JournalingConfig(AppConfig):
    name = "journaling"
    verbose_name = "Journal, exercises and check-ins"

    def ready(self) -> None:
        from recovery.demo import register_seeder
        from recovery.signals import purge_patient_data

        from . import deletion, demo, export, reminders

        # A purged account loses everything the patient wrote or logged here.
        purge_patient_data.connect(deletion.purge_patient_data, dispatch_uid="journaling.purge")
        # Nine days of the demo patient's history (needs the programme).
        register_seeder("journaling", order=20, seed=demo.seed)
        # Its reminder kinds (recovery.notifications.registry).
        reminders.register()
        # Cached pages follow every write to these (recovery.freshness).
        from recovery import freshness

        from .models import CheckIn, ExerciseCompletion, JournalEntry, StressorItem

        for model in (CheckIn, ExerciseCompletion, JournalEntry, StressorItem):
            freshness.track(model)
        # The "My data" PDF, built by the worker (recovery.export_jobs).
        export.register_pdf_job()
