"""One stressor line per (patient, category), regardless of case, by the line's keyed hash."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("journaling", "0006_encrypt_existing_rows"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="stressoritem",
            constraint=models.UniqueConstraint(
                fields=("patient", "category", "text_index"), name="one_stressor_per_line"
            ),
        ),
    ]
