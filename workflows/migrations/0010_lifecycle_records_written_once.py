from django.db import migrations

# Holds, their backings, conditions and lessons are the project's history: the database
# keeps them as the services wrote them, whatever the path (admin, shell, queryset, raw SQL).
# A hold is written once and closed once (placed at most once, then lifted at most once); a
# condition is written once and given its outcome once; backings and lessons never change.
# None of them is ever deleted (and, on PostgreSQL, never truncated).
HOLD_CONTENT = ("project_id", "stage", "reason", "revisit_on", "proposed_by_id", "proposed_at")
CONDITION_CONTENT = (
    "project_id",
    "review_id",
    "decision_id",
    "criterion_id",
    "text",
    "owner_id",
    "due_on",
    "created_at",
)
LESSON_CONTENT = ("project_id", "transition_id", "tried", "worked", "failed", "reusable", "links")


def changed(columns) -> str:
    return " OR ".join(f"NEW.{column} IS DISTINCT FROM OLD.{column}" for column in columns)


HOLD_REWRITE = (
    f"OLD.lifted_at IS NOT NULL OR {changed(HOLD_CONTENT)}"
    " OR (OLD.placed_at IS NOT NULL AND NEW.placed_at IS DISTINCT FROM OLD.placed_at)"
)
CONDITION_REWRITE = f"OLD.status <> 'open' OR {changed(CONDITION_CONTENT)}"
LESSON_REWRITE = changed(LESSON_CONTENT)
# (table, the condition under which an UPDATE is refused; None: every UPDATE)
TABLES = [
    ("projects_hold", HOLD_REWRITE),
    ("projects_holdbacking", None),
    ("workflows_condition", CONDITION_REWRITE),
    ("workflows_lesson", LESSON_REWRITE),
]


def sqlite(rewrite: str) -> str:
    # SQLite has no IS DISTINCT FROM: IS NOT compares NULLs the same way.
    return rewrite.replace("IS DISTINCT FROM", "IS NOT")


SQLITE = [
    statement
    for table, rewrite in TABLES
    for statement in (
        f"""CREATE TRIGGER {table}_written_once BEFORE UPDATE ON {table}
        {f"WHEN {sqlite(rewrite)}" if rewrite else ""}
        BEGIN SELECT RAISE(ABORT, '{table} rows are written once'); END""",
        f"""CREATE TRIGGER {table}_never_deleted BEFORE DELETE ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} rows are written once'); END""",
    )
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {table}_{kind}"
    for table, _rewrite in TABLES
    for kind in ("written_once", "never_deleted")
]
POSTGRESQL = [
    """CREATE FUNCTION lifecycle_written_once() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' rows are written once',
            ERRCODE = 'check_violation';
    END $$""",
    *(
        statement
        for table, rewrite in TABLES
        for statement in (
            f"""CREATE TRIGGER {table}_written_once BEFORE UPDATE ON {table} FOR EACH ROW
            {f"WHEN ({rewrite})" if rewrite else ""}
            EXECUTE FUNCTION lifecycle_written_once()""",
            f"""CREATE TRIGGER {table}_never_deleted BEFORE DELETE ON {table} FOR EACH ROW
            EXECUTE FUNCTION lifecycle_written_once()""",
            f"""CREATE TRIGGER {table}_never_truncated BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION lifecycle_written_once()""",
        )
    ),
]
POSTGRESQL_REVERSE = [
    *(
        f"DROP TRIGGER IF EXISTS {table}_{kind} ON {table}"
        for table, _rewrite in TABLES
        for kind in ("written_once", "never_deleted", "never_truncated")
    ),
    "DROP FUNCTION IF EXISTS lifecycle_written_once()",
]


def run(statements):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise RuntimeError(f"no lifecycle triggers for {vendor}")
        for sql in statements[vendor]:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0009_conditions_and_lessons"),
        ("projects", "0012_holds"),
    ]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]
