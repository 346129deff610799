import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0006_stage_transitions_never_deleted"),
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
