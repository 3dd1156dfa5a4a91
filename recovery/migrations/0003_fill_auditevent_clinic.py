"""Existing audit events get the clinic of their patient, else of their actor (as new ones do
on write), so each clinic's admin finds its own history in the admin."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_clinic(apps, schema_editor):
    AuditEvent = apps.get_model("recovery", "AuditEvent")
    User = apps.get_model("recovery", "User")
    clinic_of = lambda field: Subquery(  # noqa: E731
        User.objects.filter(pk=OuterRef(field)).values("clinic_id")[:1]
    )
    AuditEvent.objects.filter(clinic=None, patient__isnull=False).update(clinic=clinic_of("patient_id"))
    AuditEvent.objects.filter(clinic=None, actor__isnull=False).update(clinic=clinic_of("actor_id"))


class Migration(migrations.Migration):
    dependencies = [("recovery", "0002_auditevent_clinic")]

    operations = [migrations.RunPython(fill_clinic, migrations.RunPython.noop)]
