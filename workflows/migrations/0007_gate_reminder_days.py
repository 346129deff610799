import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0005_transition_covering_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="gate",
            name="reminder_days",
            field=models.PositiveSmallIntegerField(
                default=14, validators=[django.core.validators.MaxValueValidator(365)]
            ),
        ),
    ]
