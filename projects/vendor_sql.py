"""Statements that differ per database, for the migrations that install triggers (the stage
audit of ``workflows``, the append-only evidence of ``evidence``). Here, in the lowest app
that both depend on, so that the arrow points down."""

from django.db import migrations


def _run(statements: dict[str, list[str]], what: str):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise RuntimeError(f"no {what} for {vendor}")
        for sql in statements[vendor]:
            schema_editor.execute(sql)

    return apply


def run_vendor_sql(
    forward: dict[str, list[str]], reverse: dict[str, list[str]], *, what: str
) -> migrations.RunPython:
    """A reversible operation that runs the statements of the current database (keys are
    ``connection.vendor``: ``sqlite``, ``postgresql``) and refuses any other database."""
    return migrations.RunPython(_run(forward, what), _run(reverse, what))
