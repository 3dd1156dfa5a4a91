# A check-in score the patient did not choose stays empty (it used to default to 5);
# each score is still 0-10 when given, and a check-in answers at least one of the three.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('journaling', '0002_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='checkin',
            name='checkin_pain_0_10',
        ),
        migrations.RemoveConstraint(
            model_name='checkin',
            name='checkin_stress_0_10',
        ),
        migrations.RemoveConstraint(
            model_name='checkin',
            name='checkin_mood_0_10',
        ),
        migrations.AlterField(
            model_name='checkin',
            name='mood',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='checkin',
            name='pain',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='checkin',
            name='stress',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name='checkin',
            constraint=models.CheckConstraint(condition=models.Q(('pain__isnull', True), models.Q(('pain__gte', 0), ('pain__lte', 10)), _connector='OR'), name='checkin_pain_0_10'),
        ),
        migrations.AddConstraint(
            model_name='checkin',
            constraint=models.CheckConstraint(condition=models.Q(('stress__isnull', True), models.Q(('stress__gte', 0), ('stress__lte', 10)), _connector='OR'), name='checkin_stress_0_10'),
        ),
        migrations.AddConstraint(
            model_name='checkin',
            constraint=models.CheckConstraint(condition=models.Q(('mood__isnull', True), models.Q(('mood__gte', 0), ('mood__lte', 10)), _connector='OR'), name='checkin_mood_0_10'),
        ),
        migrations.AddConstraint(
            model_name='checkin',
            constraint=models.CheckConstraint(condition=models.Q(('pain__isnull', False), ('stress__isnull', False), ('mood__isnull', False), _connector='OR'), name='checkin_has_a_score'),
        ),
    ]
