"""Encryption at rest of visit notes (issue 11, item 7; recovery.crypto): the columns hold
Fernet tokens; existing notes are encrypted in place (and decrypted on the way back)."""

from django.db import migrations

import recovery.crypto
from recovery import crypto_rows

COLUMNS = ["summary", "discussed", "plan"]


def encrypt(apps, schema_editor):
    crypto_rows.encrypt_columns(schema_editor.connection, "clinicians_followupvisit", COLUMNS)


def decrypt(apps, schema_editor):
    crypto_rows.decrypt_columns(schema_editor.connection, "clinicians_followupvisit", COLUMNS)


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
        migrations.RunPython(encrypt, decrypt, elidable=False),
    ]
