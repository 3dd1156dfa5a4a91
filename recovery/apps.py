from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RecoveryConfig(AppConfig):
    name = "recovery"
    verbose_name = "People, clinics and audit"

    def ready(self) -> None:
        from . import signals

        post_migrate.connect(signals.create_default_clinic, sender=self)
