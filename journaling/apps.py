from django.apps import AppConfig


class JournalingConfig(AppConfig):
    name = "journaling"
    verbose_name = "Journal, exercises and check-ins"

    def ready(self) -> None:
        from recovery.signals import purge_patient_data

        from . import deletion

        # A purged account loses everything the patient wrote or logged here.
        purge_patient_data.connect(deletion.purge_patient_data, dispatch_uid="journaling.purge")
