from django.db import migrations, models


def immediate_for_email_choosers(apps, schema_editor):
    """Who asked for e-mails before digests existed keeps getting them at once."""
    preference = apps.get_model("projects", "NotificationPreference")
    preference.objects.filter(by_email=True).update(email="immediate")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0008_curate_permission"),
        ("outbox", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="notificationpreference",
            name="email",
            field=models.CharField(
                choices=[
                    ("immediate", "Tout de suite"),
                    ("daily", "Résumé quotidien"),
                    ("weekly", "Résumé hebdomadaire"),
                    ("never", "Jamais"),
                ],
                default="never",
                max_length=10,
            ),
        ),
        migrations.RunPython(immediate_for_email_choosers, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="notificationpreference",
            name="by_email",
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("mention", "Mention"),
                    ("reply", "Réponse à mon commentaire"),
                    ("review_opened", "Revue ouverte sur un projet que je relis"),
                    ("decision", "Décision sur mon projet"),
                    ("stage_changed", "Changement d'étape d'un projet suivi"),
                    ("reminder", "Rappel : revue ou modifications en attente"),
                    ("dormant", "Projet en sommeil depuis longtemps"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="notificationpreference",
            name="kind",
            field=models.CharField(
                choices=[
                    ("mention", "Mention"),
                    ("reply", "Réponse à mon commentaire"),
                    ("review_opened", "Revue ouverte sur un projet que je relis"),
                    ("decision", "Décision sur mon projet"),
                    ("stage_changed", "Changement d'étape d'un projet suivi"),
                    ("reminder", "Rappel : revue ou modifications en attente"),
                    ("dormant", "Projet en sommeil depuis longtemps"),
                ],
                max_length=20,
            ),
        ),
    ]
