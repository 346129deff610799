from django.db import migrations, models


def fingerprint_existing(apps, schema_editor):
    # The tokens issued before keep working under the password their owner has now.
    from accounts.models import password_fingerprint

    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.select_related("user").iterator():
        token.password_fingerprint = password_fingerprint(token.user)
        token.save(update_fields=["password_fingerprint"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_curators_revoke_any_token")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="password_fingerprint",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(fingerprint_existing, migrations.RunPython.noop),
    ]
