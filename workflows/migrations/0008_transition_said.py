from django.db import migrations, models

# The rationale the system wrote itself ("Passage approuvé.") becomes a code shown in the
# reader's language. Existing rows keep their text (they are append-only) and gain the code
# when their text is one the system wrote, in French or in English; any other text is a
# person's and stays as typed. The append-only trigger then covers the new column too.
KNOWN = {"gate_approved": ["Passage approuvé.", "Move approved."]}

COLUMNS = "project_id, name, from_stage, to_stage, at, rationale, checklist"
SQLITE_TRIGGER = """CREATE TRIGGER workflows_stagetransition_append_only
    BEFORE UPDATE OF {columns} ON workflows_stagetransition
    BEGIN SELECT RAISE(ABORT, 'StageTransition rows are append-only'); END"""
POSTGRESQL_TRIGGER = """CREATE TRIGGER workflows_stagetransition_append_only
    BEFORE UPDATE OF {columns} ON workflows_stagetransition
    FOR EACH ROW EXECUTE FUNCTION workflows_stagetransition_append_only()"""
DROP = {
    "sqlite": "DROP TRIGGER IF EXISTS workflows_stagetransition_append_only",
    "postgresql": (
        "DROP TRIGGER IF EXISTS workflows_stagetransition_append_only ON workflows_stagetransition"
    ),
}
CREATE = {"sqlite": SQLITE_TRIGGER, "postgresql": POSTGRESQL_TRIGGER}


def trigger(columns):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in CREATE:
            raise RuntimeError(f"no stage audit triggers for {vendor}")
        schema_editor.execute(DROP[vendor])
        schema_editor.execute(CREATE[vendor].format(columns=columns))

    return apply


def codes(apps, schema_editor):
    StageTransition = apps.get_model("workflows", "StageTransition")
    for code, texts in KNOWN.items():
        StageTransition.objects.filter(name="advance", rationale__in=texts).update(said=code)


def no_codes(apps, schema_editor):
    apps.get_model("workflows", "StageTransition").objects.update(said=None)


class Migration(migrations.Migration):
    dependencies = [("workflows", "0007_gate_reminder_days")]

    operations = [
        migrations.AddField(
            model_name="stagetransition",
            name="said",
            field=models.CharField(
                blank=True,
                choices=[("gate_approved", "Passage approuvé.")],
                max_length=32,
                null=True,
            ),
        ),
        migrations.RunPython(codes, no_codes),
        migrations.RunPython(trigger(f"{COLUMNS}, said"), trigger(COLUMNS)),
    ]
