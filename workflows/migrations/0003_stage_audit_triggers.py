from django.db import migrations

from projects.vendor_sql import run_vendor_sql

# The database itself guarantees the audit trail: a project is created at "idea", its stage
# changes only to the target of its newest StageTransition (written first, in the same
# transaction), and StageTransition rows are never rewritten. This holds for every path:
# services, admin, shell, queryset.update() and raw SQL alike.
SQLITE = [
    """CREATE TRIGGER projects_stage_starts_at_idea BEFORE INSERT ON projects_project
    WHEN NEW.stage <> 'idea'
    BEGIN SELECT RAISE(ABORT, 'a project starts at the idea stage'); END""",
    """CREATE TRIGGER projects_stage_audited BEFORE UPDATE OF stage ON projects_project
    WHEN NEW.stage IS NOT OLD.stage AND NOT EXISTS (
        SELECT 1 FROM workflows_stagetransition t
        WHERE t.project_id = NEW.id AND t.from_stage = OLD.stage AND t.to_stage = NEW.stage
          AND t.id = (SELECT MAX(id) FROM workflows_stagetransition WHERE project_id = NEW.id))
    BEGIN SELECT RAISE(ABORT, 'a stage change needs its StageTransition'); END""",
    """CREATE TRIGGER workflows_stagetransition_append_only
    BEFORE UPDATE OF project_id, name, from_stage, to_stage, at, rationale, checklist
    ON workflows_stagetransition
    BEGIN SELECT RAISE(ABORT, 'StageTransition rows are append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS projects_stage_starts_at_idea",
    "DROP TRIGGER IF EXISTS projects_stage_audited",
    "DROP TRIGGER IF EXISTS workflows_stagetransition_append_only",
]
POSTGRESQL = [
    """CREATE FUNCTION projects_stage_audited() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF NEW.stage <> 'idea' THEN
                RAISE EXCEPTION 'a project starts at the idea stage'
                    USING ERRCODE = 'check_violation';
            END IF;
        ELSIF NEW.stage IS DISTINCT FROM OLD.stage AND NOT EXISTS (
            SELECT 1 FROM (
                SELECT from_stage, to_stage FROM workflows_stagetransition
                WHERE project_id = NEW.id ORDER BY id DESC LIMIT 1
            ) newest
            WHERE newest.from_stage = OLD.stage AND newest.to_stage = NEW.stage
        ) THEN
            RAISE EXCEPTION 'a stage change needs its StageTransition'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER projects_stage_audited BEFORE INSERT OR UPDATE OF stage
    ON projects_project FOR EACH ROW EXECUTE FUNCTION projects_stage_audited()""",
    """CREATE FUNCTION workflows_stagetransition_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'StageTransition rows are append-only' USING ERRCODE = 'check_violation';
    END $$""",
    """CREATE TRIGGER workflows_stagetransition_append_only
    BEFORE UPDATE OF project_id, name, from_stage, to_stage, at, rationale, checklist
    ON workflows_stagetransition
    FOR EACH ROW EXECUTE FUNCTION workflows_stagetransition_append_only()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS projects_stage_audited ON projects_project",
    "DROP FUNCTION IF EXISTS projects_stage_audited()",
    "DROP TRIGGER IF EXISTS workflows_stagetransition_append_only ON workflows_stagetransition",
    "DROP FUNCTION IF EXISTS workflows_stagetransition_append_only()",
]


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0002_default_framework"),
        ("projects", "0004_territories_and_themes"),
    ]

    operations = [
        run_vendor_sql(
            {"sqlite": SQLITE, "postgresql": POSTGRESQL},
            {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE},
            what="stage audit triggers",
        )
    ]
