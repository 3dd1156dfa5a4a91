"""Encrypt the journaling texts already stored in clear (and decrypt them on the way back);
the stressor lines get their keyed hash (recovery.crypto.blind_index)."""

from django.db import migrations

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
        ("journaling", "0005_encrypt_texts"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt, elidable=False)]
