"""Migration steps for a model that moves to another app and keeps its table.

The new app's first migration declares the model in its state only
(``SeparateDatabaseAndState``), so no row moves; these steps carry over what the database
records under the old app label: the content type (and with it the permissions, guardian
rows and admin log entries that point to it).
"""

from django.db import migrations


def move_content_types(old_app: str, new_app: str, models: list[str]) -> migrations.RunPython:
    """Relabel the content types of ``models`` from ``old_app`` to ``new_app``.

    A content type already under the new label (a database where ``migrate`` created it
    before this step ran) is left as it is and the old one is kept too."""

    def relabel(apps, schema_editor, source, target):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        for model in models:
            if not ContentType.objects.using(db).filter(app_label=target, model=model).exists():
                ContentType.objects.using(db).filter(app_label=source, model=model).update(
                    app_label=target
                )

    return migrations.RunPython(
        lambda apps, schema_editor: relabel(apps, schema_editor, old_app, new_app),
        lambda apps, schema_editor: relabel(apps, schema_editor, new_app, old_app),
    )


def add_missing_fields(app: str, model: str, fields: list[str]) -> migrations.RunPython:
    """Add the columns of ``fields`` to the model's table where they do not exist yet.

    For fields that an older migration of the previous app added on databases made before
    the move, and that a new database gets here instead."""

    def add(apps, schema_editor):
        Model = apps.get_model(app, model)
        table = Model._meta.db_table
        with schema_editor.connection.cursor() as cursor:
            columns = {
                column.name
                for column in schema_editor.connection.introspection.get_table_description(
                    cursor, table
                )
            }
        for name in fields:
            field = Model._meta.get_field(name)
            if field.column not in columns:
                schema_editor.add_field(Model, field)

    def remove(apps, schema_editor):
        pass  # The columns stay: the previous app's state has no migration to drop them.

    return migrations.RunPython(add, remove)
