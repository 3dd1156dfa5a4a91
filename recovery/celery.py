"""The Celery app, as in Celery's "First steps with Django" guide."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery.settings")

# DjangoTask gives every task .delay_on_commit(): enqueue only once the request's
# transaction has committed, so a worker never looks for a row that is not there yet.
app = Celery("recovery", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def setup_periodic_tasks(sender: Celery, **kwargs: object) -> None:
    from django.conf import settings

    sender.add_periodic_task(
        float(settings.HEARTBEAT_INTERVAL_SECONDS),
        sender.signature("recovery.tasks.heartbeat"),
        name="worker heartbeat",
    )
    from celery.schedules import crontab

    # Accounts past their 14-day deletion grace period (journaling.deletion); idempotent.
    sender.add_periodic_task(
        crontab(hour=3, minute=30),
        sender.signature("journaling.tasks.purge_deleted_accounts"),
        name="purge deleted accounts",
    )


@worker_ready.connect
def beat_once_on_start(sender: object, **kwargs: object) -> None:
    # /healthz should not report a fresh worker as missing for a whole interval.
    app.send_task("recovery.tasks.heartbeat")
