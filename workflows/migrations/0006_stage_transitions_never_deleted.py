from django.db import migrations

from projects.vendor_sql import run_vendor_sql

# StageTransition rows were already never rewritten (0003); now they are never removed
# either, whatever the path: DELETE (a queryset, the admin, a cascade from a deleted project
# or raw SQL) and, on PostgreSQL, TRUNCATE. Nothing legitimate removes them: a project with
# history cannot be deleted, it is archived.
SQLITE = [
    """CREATE TRIGGER workflows_stagetransition_never_deleted
    BEFORE DELETE ON workflows_stagetransition
    BEGIN SELECT RAISE(ABORT, 'StageTransition rows are append-only'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS workflows_stagetransition_never_deleted"]
# The function of 0003 raises whatever the operation; it serves the new triggers too.
POSTGRESQL = [
    """CREATE TRIGGER workflows_stagetransition_never_deleted
    BEFORE DELETE ON workflows_stagetransition
    FOR EACH ROW EXECUTE FUNCTION workflows_stagetransition_append_only()""",
    """CREATE TRIGGER workflows_stagetransition_never_truncated
    BEFORE TRUNCATE ON workflows_stagetransition
    FOR EACH STATEMENT EXECUTE FUNCTION workflows_stagetransition_append_only()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS workflows_stagetransition_never_deleted ON workflows_stagetransition",
    "DROP TRIGGER IF EXISTS workflows_stagetransition_never_truncated ON workflows_stagetransition",
]


class Migration(migrations.Migration):
    dependencies = [("workflows", "0005_transition_covering_indexes")]

    operations = [
        run_vendor_sql(
            {"sqlite": SQLITE, "postgresql": POSTGRESQL},
            {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE},
            what="stage audit triggers",
        )
    ]
