"""Copy each existing event's actor (address, name, role) onto the row, before the trigger of
0007 makes rows unchangeable: from now on the row, not the user, says who it was."""

from django.db import migrations


def fill(apps, schema_editor):
    AuditEvent = apps.get_model("recovery", "AuditEvent")
    User = apps.get_model("recovery", "User")
    actor_ids = (
        AuditEvent.objects.filter(actor_email="").exclude(actor_id=None)
        .values_list("actor_id", flat=True).distinct()
    )
    users = User.objects.filter(pk__in=list(actor_ids)).select_related(
        "patient_profile", "clinician_profile"
    )
    for user in users:
        name = ""
        for attr in ("patient_profile", "clinician_profile"):
            profile = getattr(user, attr, None)
            if profile is not None and profile.display_name:
                name = profile.display_name
        AuditEvent.objects.filter(actor_id=user.pk, actor_email="").update(
            actor_email=user.email, actor_name=(name or user.email)[:120], actor_role=user.role
        )


class Migration(migrations.Migration):
    dependencies = [("recovery", "0005_auditevent_actor_copy_request_id")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
