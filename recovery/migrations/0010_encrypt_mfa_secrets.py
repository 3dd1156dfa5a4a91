"""Encrypt the TOTP secrets and recovery-code seeds already stored in clear (issue 11, item 7):
from now on recovery.adapters.MFAAdapter encrypts and decrypts them."""

from django.db import migrations

from recovery import crypto_rows
from recovery.mfa_secrets import rewrite_authenticators


def encrypt(apps, schema_editor):
    rewrite_authenticators(apps.get_model("mfa", "Authenticator"), crypto_rows.encrypt_value)


def decrypt(apps, schema_editor):
    rewrite_authenticators(apps.get_model("mfa", "Authenticator"), crypto_rows.decrypt_value)


class Migration(migrations.Migration):

    dependencies = [
        ("recovery", "0009_clinic_admins_are_not_superusers"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt, elidable=False)]
