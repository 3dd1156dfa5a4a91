from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Programmes and curricula"

    def ready(self) -> None:
        from recovery.signals import purge_patient_data

        from . import deletion

        # A purged account's open enrolments are withdrawn (the clinic keeps the record).
        purge_patient_data.connect(deletion.purge_patient_data, dispatch_uid="programs.purge")
