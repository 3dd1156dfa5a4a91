"""Encryption at rest of visit notes (issue 11, item 7; recovery.crypto): the columns become
text for Fernet tokens; 0005 encrypts the existing notes (a migration of its own: PostgreSQL
refuses an ALTER TABLE after row updates in one transaction)."""

from django.db import migrations

import recovery.crypto


class Migration(migrations.Migration):

    dependencies = [
        ("clinicians", "0003_follow_up_visits"),
    ]

    operations = [
        migrations.AlterField(
            model_name="followupvisit",
            name="discussed",
            field=recovery.crypto.EncryptedTextField(blank=True, help_text="What was discussed."),
        ),
        migrations.AlterField(
            model_name="followupvisit",
            name="plan",
            field=recovery.crypto.EncryptedTextField(blank=True, help_text="What happens next."),
        ),
        migrations.AlterField(
            model_name="followupvisit",
            name="summary",
            field=recovery.crypto.EncryptedTextField(
                blank=True, help_text="How the patient is doing, in brief."
            ),
        ),
    ]
