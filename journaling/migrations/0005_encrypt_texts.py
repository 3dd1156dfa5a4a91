"""Encryption at rest of what a patient writes (issue 11, item 7; recovery.crypto).

The columns become text that will hold Fernet tokens; 0006 encrypts the existing rows and
0007 makes the stressor line unique again, by a keyed hash of the line (`text_index`) instead of
LOWER(text), which a ciphertext can't give. Three migrations, three transactions: PostgreSQL
refuses an ALTER TABLE after row updates in the same transaction ("pending trigger events").
"""

from django.db import migrations, models

import recovery.crypto


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
    ]
