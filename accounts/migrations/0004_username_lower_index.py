from django.db import migrations

# Mentions name people whatever the case ("@Olga" reaches olga): the accounts are looked up
# on LOWER(username), which this index answers on SQLite and PostgreSQL alike. Django's
# own auth_user table cannot carry it in a model's Meta, so it is written here.
INDEX = "accounts_username_lower"


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_token_password_fingerprint"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunSQL(
            f'CREATE INDEX {INDEX} ON auth_user (LOWER("username"))',
            f"DROP INDEX {INDEX}",
        )
    ]
