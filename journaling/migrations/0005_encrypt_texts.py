"""Encryption at rest of what a patient writes (issue 11, item 7; recovery.crypto).

The columns become text holding Fernet tokens; existing rows are encrypted in place (and
decrypted on the way back). The stressor line's case-insensitive uniqueness moves from
LOWER(text), which a ciphertext can't give, to a keyed hash of the line (`text_index`).
"""

from django.db import migrations, models

import recovery.crypto
from recovery import crypto_rows

COLUMNS = {
    "journaling_checkin": ["note"],
    "journaling_exercisecompletion": ["note"],
    "journaling_journalentry": ["title", "recipient", "body", "data", "unsaved_edits"],
    "journaling_stressoritem": ["text"],
}


def encrypt(apps, schema_editor):
    for table, columns in COLUMNS.items():
        crypto_rows.encrypt_columns(schema_editor.connection, table, columns)
    crypto_rows.set_blind_indexes(
        schema_editor.connection, "journaling_stressoritem", "text", "text_index"
    )


def decrypt(apps, schema_editor):
    for table, columns in COLUMNS.items():
        crypto_rows.decrypt_columns(schema_editor.connection, table, columns)


class Migration(migrations.Migration):

    dependencies = [
        ("journaling", "0004_journal_unsaved_edits_and_unique_stressors"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="stressoritem",
            name="one_stressor_per_line",
        ),
        migrations.AddField(
            model_name="stressoritem",
            name="text_index",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="checkin",
            name="note",
            field=recovery.crypto.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="exercisecompletion",
            name="note",
            field=recovery.crypto.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="body",
            field=recovery.crypto.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="data",
            field=recovery.crypto.EncryptedJSONField(
                blank=True, default=dict, help_text="Structured fields of the kind."
            ),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="recipient",
            field=recovery.crypto.EncryptedCharField(
                blank=True, help_text="For an unsent letter.", max_length=200
            ),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="title",
            field=recovery.crypto.EncryptedCharField(blank=True, max_length=200),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="unsaved_edits",
            field=recovery.crypto.EncryptedJSONField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="stressoritem",
            name="text",
            field=recovery.crypto.EncryptedCharField(max_length=500),
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
        migrations.AddConstraint(
            model_name="stressoritem",
            constraint=models.UniqueConstraint(
                fields=("patient", "category", "text_index"), name="one_stressor_per_line"
            ),
        ),
    ]
