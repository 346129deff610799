# Comments, notifications and presence move to their own apps (discussion, notifications,
# live) with their tables: this only takes them out of this app's state.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0010_role_label_for_everyone"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="notification",
                    name="actor",
                ),
                migrations.RemoveField(
                    model_name="notification",
                    name="project",
                ),
                migrations.RemoveField(
                    model_name="notification",
                    name="recipient",
                ),
                migrations.RemoveField(
                    model_name="notificationpreference",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="presence",
                    name="project",
                ),
                migrations.RemoveField(
                    model_name="presence",
                    name="user",
                ),
                migrations.DeleteModel(
                    name="Comment",
                ),
                migrations.DeleteModel(
                    name="Notification",
                ),
                migrations.DeleteModel(
                    name="NotificationPreference",
                ),
                migrations.DeleteModel(
                    name="Presence",
                ),
            ],
            database_operations=[],
        ),
    ]
