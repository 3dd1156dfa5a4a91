"""Clinic admins stop being superusers of the deployment (issue 11, item 1): their model
permissions now come from recovery/permissions.py. The deployment's operator is made anew
with `manage.py createsuperuser` (README, "Roles")."""

from django.db import migrations


def demote(apps, schema_editor):
    User = apps.get_model("recovery", "User")
    User.objects.filter(role="admin", is_superuser=True).update(is_superuser=False)


def restore(apps, schema_editor):
    User = apps.get_model("recovery", "User")
    User.objects.filter(role="admin").update(is_superuser=True)


class Migration(migrations.Migration):
    dependencies = [("recovery", "0008_patientprofile_include_shared_entries_in_reports")]
    operations = [migrations.RunPython(demote, restore)]
