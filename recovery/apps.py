from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RecoveryConfig(AppConfig):
    name = "recovery"
    verbose_name = "People, clinics and audit"

    def ready(self) -> None:
        from celery.schedules import crontab
        from django.conf import settings

        # middleware: connects the session clocks to user_logged_in.
        from . import beat, middleware, signals  # noqa: F401

        # The notification tasks and the ledger's admin live in their own package.
        from .notifications import admin as notification_admin  # noqa: F401
        from .notifications import tasks as notification_tasks  # noqa: F401

        post_migrate.connect(signals.create_default_clinic, sender=self)
        beat.register(
            "worker heartbeat",
            float(settings.HEARTBEAT_INTERVAL_SECONDS),
            "recovery.tasks.heartbeat",
        )
        # Accounts past their 14-day deletion grace period (recovery.deletion); idempotent.
        beat.register(
            "purge deleted accounts",
            crontab(hour=3, minute=30),
            "recovery.tasks.purge_deleted_accounts",
        )
        # Reminders: one dispatcher every minute finds what is due (recovery.notifications).
        beat.register("dispatch reminders", 60.0, "recovery.notifications.dispatch")
        # Export jobs (recovery.export_jobs): expired files deleted, lost tasks handed out again.
        beat.register("sweep exports", 300.0, "recovery.tasks.sweep_exports")
        from . import export_jobs
        from .export_views import register_notifications

        register_notifications()
        signals.purge_patient_data.connect(
            export_jobs.purge_patient_data, dispatch_uid="recovery.export_jobs.purge"
        )
        # A patient's name, address and time zone are on their care team's pages (the
        # caseload): cached pages follow them (recovery.freshness). A save of other columns
        # (a sign-in's last_login, the language) changes nothing shown.
        from . import freshness
        from .models import PatientProfile, User

        freshness.track(
            User, lambda u: [u.pk] if u.is_patient else [], fields=frozenset({"email", "role"})
        )
        freshness.track(
            PatientProfile, lambda p: [p.user_id], fields=frozenset({"display_name", "time_zone"})
        )
