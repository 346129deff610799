from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """Accent-insensitive search on PostgreSQL; SQLite gets ``unaccent`` from the app."""

    dependencies = [("projects", "0006_project_list_order_index")]

    operations = [UnaccentExtension()]
