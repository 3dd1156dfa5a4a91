"""Encrypt the visit notes already stored in clear (and decrypt them on the way back)."""

from django.db import migrations

from recovery import crypto_rows

COLUMNS = ["summary", "discussed", "plan"]


def encrypt(apps, schema_editor):
    crypto_rows.encrypt_columns(schema_editor.connection, "clinicians_followupvisit", COLUMNS)


def decrypt(apps, schema_editor):
    crypto_rows.decrypt_columns(schema_editor.connection, "clinicians_followupvisit", COLUMNS)


class Migration(migrations.Migration):

    dependencies = [
        ("clinicians", "0004_encrypt_visit_notes"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt, elidable=False)]
