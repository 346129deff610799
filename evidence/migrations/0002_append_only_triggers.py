from django.db import migrations

from projects.vendor_sql import run_vendor_sql

# Scans and their results are evidence: the database itself keeps them as written.
# A running scan is finished once; then no column of it changes, no result changes, and
# neither is deleted while its project exists. Deleting a project removes its scans after
# it (the foreign keys are DO_NOTHING on the Django side), which the guards let through.
SCAN_COLUMNS = (
    'project_id, url, status, "commit", committed_at, started_at, finished_at, '
    "refusal_code, refusal_reason"
)
SQLITE = [
    f"""CREATE TRIGGER evidence_scan_append_only BEFORE UPDATE OF {SCAN_COLUMNS}
    ON evidence_repositoryscan WHEN OLD.status <> 'running'
    BEGIN SELECT RAISE(ABORT, 'RepositoryScan rows are append-only'); END""",
    """CREATE TRIGGER evidence_scan_kept BEFORE DELETE ON evidence_repositoryscan
    WHEN EXISTS (SELECT 1 FROM projects_project WHERE id = OLD.project_id)
    BEGIN SELECT RAISE(ABORT, 'RepositoryScan rows are append-only'); END""",
    """CREATE TRIGGER evidence_result_append_only BEFORE UPDATE ON evidence_checkresult
    BEGIN SELECT RAISE(ABORT, 'CheckResult rows are append-only'); END""",
    """CREATE TRIGGER evidence_result_kept BEFORE DELETE ON evidence_checkresult
    WHEN EXISTS (SELECT 1 FROM evidence_repositoryscan s JOIN projects_project p
                 ON p.id = s.project_id WHERE s.id = OLD.scan_id)
    BEGIN SELECT RAISE(ABORT, 'CheckResult rows are append-only'); END""",
    """CREATE TRIGGER evidence_scans_follow_project AFTER DELETE ON projects_project
    BEGIN
        DELETE FROM evidence_checkresult WHERE scan_id IN
            (SELECT id FROM evidence_repositoryscan WHERE project_id = OLD.id);
        DELETE FROM evidence_repositoryscan WHERE project_id = OLD.id;
    END""",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "evidence_scan_append_only",
        "evidence_scan_kept",
        "evidence_result_append_only",
        "evidence_result_kept",
        "evidence_scans_follow_project",
    )
]
POSTGRESQL = [
    """CREATE FUNCTION evidence_scan_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND OLD.status = 'running' THEN
            RETURN NEW;
        END IF;
        IF TG_OP = 'DELETE' AND NOT EXISTS (
            SELECT 1 FROM projects_project WHERE id = OLD.project_id
        ) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'RepositoryScan rows are append-only' USING ERRCODE = 'check_violation';
    END $$""",
    f"""CREATE TRIGGER evidence_scan_guard BEFORE UPDATE OF {SCAN_COLUMNS} OR DELETE
    ON evidence_repositoryscan FOR EACH ROW EXECUTE FUNCTION evidence_scan_guard()""",
    """CREATE FUNCTION evidence_result_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND NOT EXISTS (
            SELECT 1 FROM evidence_repositoryscan s JOIN projects_project p
            ON p.id = s.project_id WHERE s.id = OLD.scan_id
        ) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'CheckResult rows are append-only' USING ERRCODE = 'check_violation';
    END $$""",
    """CREATE TRIGGER evidence_result_guard BEFORE UPDATE OR DELETE ON evidence_checkresult
    FOR EACH ROW EXECUTE FUNCTION evidence_result_guard()""",
    """CREATE FUNCTION evidence_scans_follow_project() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM evidence_checkresult WHERE scan_id IN
            (SELECT id FROM evidence_repositoryscan WHERE project_id = OLD.id);
        DELETE FROM evidence_repositoryscan WHERE project_id = OLD.id;
        RETURN OLD;
    END $$""",
    """CREATE TRIGGER evidence_scans_follow_project AFTER DELETE ON projects_project
    FOR EACH ROW EXECUTE FUNCTION evidence_scans_follow_project()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS evidence_scans_follow_project ON projects_project",
    "DROP FUNCTION IF EXISTS evidence_scans_follow_project()",
    "DROP TRIGGER IF EXISTS evidence_result_guard ON evidence_checkresult",
    "DROP FUNCTION IF EXISTS evidence_result_guard()",
    "DROP TRIGGER IF EXISTS evidence_scan_guard ON evidence_repositoryscan",
    "DROP FUNCTION IF EXISTS evidence_scan_guard()",
]


class Migration(migrations.Migration):
    dependencies = [("evidence", "0001_initial")]

    operations = [
        run_vendor_sql(
            {"sqlite": SQLITE, "postgresql": POSTGRESQL},
            {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE},
            what="evidence triggers",
        )
    ]
