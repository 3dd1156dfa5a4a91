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
    # Each app registers its own entries in AppConfig.ready() (recovery.beat).
    from django.apps import apps

    if not apps.ready:  # the Django fixup normally set Django up before the app finalizes
        import django

        django.setup()
    from . import beat

    for entry in beat.entries():
        sender.add_periodic_task(entry.schedule, sender.signature(entry.task), name=entry.name)


@worker_ready.connect
def beat_once_on_start(sender: object, **kwargs: object) -> None:
    # /healthz should not report a fresh worker as missing for a whole interval.
    app.send_task("recovery.tasks.heartbeat")
    # A reminder due while no worker ran goes out (or is recorded as too late) at once, not a
    # beat interval later: `make run`'s demo reminder then arrives within two minutes.
    app.send_task("recovery.notifications.dispatch")
