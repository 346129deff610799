"""A database made by an older release migrates forward with every row kept.

The release is the last commit before the apps were split by domain (comments, notifications
and presence left ``projects`` with their tables). Its own ``migrate`` and ``seed_demo`` fill a
database; today's ``migrate`` then runs on it. Every table keeps its row count, the content
types keep their ids (the moved models' now under their new app), every permission keeps its
id, content type and codename, so group grants and guardian rows still mean what they meant.

On SQLite in the SQLite pass of ``make test``, and on PostgreSQL in its PostgreSQL pass, in a
database of its own on that pass's server.
"""

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
# The last commit before the split (its migrations are those of every database made until
# then). CI clones with the whole history.
BEFORE_SPLIT = "76167f4"
MOVED = {
    ("projects", "comment"): ("discussion", "comment"),
    ("projects", "notification"): ("notifications", "notification"),
    ("projects", "notificationpreference"): ("notifications", "notificationpreference"),
    ("projects", "presence"): ("live", "presence"),
}
# Bookkeeping that a forward migration adds to: checked row by row below, not by count.
GROWING = {"django_migrations", "django_content_type", "auth_permission"}
# Audit trails that later migrations append to: making the commons gate's reuse criterion
# computed (workflows 0012) logs one change per item it resets. They may only grow.
APPENDED = {"workflows_checklistchange"}
ON_CI = os.environ.get("CI") == "true"


def unavailable(reason: str):
    if ON_CI:
        pytest.fail(f"{reason} (CI=true: this test must run)")
    pytest.skip(reason)


def old_tree(tmp: Path) -> Path:
    """The release's files, from git (no checkout of the working tree is touched)."""
    if shutil.which("git") is None:
        unavailable("git is not installed: the older release cannot be extracted")
    found = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{BEFORE_SPLIT}^{{commit}}"],
        capture_output=True,
        text=True,
    )
    if found.returncode != 0:
        unavailable(f"commit {BEFORE_SPLIT} is not in this clone (a shallow clone?)")
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", found.stdout.strip()],
        capture_output=True,
        check=True,
    )
    tree = tmp / "release"
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(tree, filter="data")
    return tree


def manage(tree: Path, env: dict, *args: str) -> str:
    """``manage.py`` of ``tree`` in a process of its own (its modules, not this run's)."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} in {tree}:\n{done.stderr[-4000:]}"
    return done.stdout


def base_env(tmp: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "PYTHONPATH"}
    }
    env["DATA_DIR"] = str(tmp / "data")
    return env


class SQLite:
    seed_options = ()

    def __init__(self, tmp: Path):
        self.env = base_env(tmp)
        self.path = tmp / "data" / "incubator.sqlite3"

    def query(self, sql: str) -> list[tuple]:
        import sqlite3

        with sqlite3.connect(self.path) as db:
            return db.execute(sql).fetchall()

    def tables(self) -> list[str]:
        rows = self.query("SELECT name FROM sqlite_master WHERE type = 'table'")
        return sorted(name for (name,) in rows if not name.startswith("sqlite_"))

    def drop(self):
        pass


class PostgreSQL:
    seed_options = ("--force",)

    def __init__(self, tmp: Path, server: dict):
        import psycopg

        self.server = server
        self.name = f"incubator_forward_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(**server, dbname="postgres", autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{self.name}"')
        auth = server["user"] + (f":{server['password']}" if server.get("password") else "")
        self.env = base_env(tmp)
        self.env.update(
            DATABASE_URL=f"postgres://{auth}@{server['host']}:{server['port']}/{self.name}",
            SECRET_KEY="test-only-" + uuid.uuid4().hex * 2,
            ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            SECURE_SSL_REDIRECT="0",
        )

    def query(self, sql: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(**self.server, dbname=self.name) as db:
            return db.execute(sql).fetchall()

    def tables(self) -> list[str]:
        rows = self.query(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        return sorted(name for (name,) in rows)

    def drop(self):
        import psycopg

        with psycopg.connect(**self.server, dbname="postgres", autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def postgresql_server() -> dict:
    """The PostgreSQL server of this run (its test database stays untouched)."""
    db = settings.DATABASES["default"]
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
    }


def snapshot(database) -> dict:
    return {
        "counts": {
            table: database.query(f'SELECT COUNT(*) FROM "{table}"')[0][0]
            for table in database.tables()
        },
        "content_types": {
            id_: (app, model)
            for id_, app, model in database.query(
                "SELECT id, app_label, model FROM django_content_type"
            )
        },
        "permissions": {
            id_: (content_type, codename)
            for id_, content_type, codename in database.query(
                "SELECT id, content_type_id, codename FROM auth_permission"
            )
        },
    }


SPOT_CHECK = """
import json
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from guardian.models import GroupObjectPermission, UserObjectPermission
from discussion.models import Comment
from live.models import Presence
from notifications.models import Notification, NotificationPreference
from projects.models import ProjectUserObjectPermission
print("SPOT " + json.dumps({
    "content_types": {
        model.__name__: ContentType.objects.get_for_model(model).pk
        for model in (Comment, Notification, NotificationPreference, Presence)
    },
    "rows": {
        "comments": Comment.objects.count(),
        "notifications": Notification.objects.count(),
        "preferences": NotificationPreference.objects.count(),
        "presence": Presence.objects.count(),
        "project_grants": ProjectUserObjectPermission.objects.count(),
        "guardian_user_rows": UserObjectPermission.objects.count(),
        "guardian_group_rows": GroupObjectPermission.objects.count(),
    },
    "comment_permissions": sorted(
        Permission.objects.filter(content_type__app_label="discussion")
        .values_list("codename", flat=True)
    ),
    "curators": sorted(
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name="curators").permissions.all()
    ),
}))
"""


def migrate_forward(database, tmp: Path):
    release = old_tree(tmp)
    manage(release, database.env, "migrate", "--no-input", "-v", "0")
    # --force: on PostgreSQL the production profile refuses demo accounts without it.
    manage(release, database.env, "seed_demo", *database.seed_options)
    before = snapshot(database)
    manage(ROOT, database.env, "migrate", "--no-input", "-v", "0")
    after = snapshot(database)
    output = manage(ROOT, database.env, "shell", "-c", SPOT_CHECK)
    spot = json.loads(output.split("SPOT ", 1)[1])
    return before, after, spot


def assert_every_row_kept(before: dict, after: dict, spot: dict):
    assert before["counts"]["projects_comment"] > 0, "seed_demo wrote no comment to carry"
    assert before["counts"]["projects_notification"] > 0
    assert before["counts"]["projects_projectuserobjectpermission"] > 0

    # Every table of the release is still there with as many rows; no table was added for
    # the moved models (they kept theirs).
    kept = {table: count for table, count in after["counts"].items() if table in before["counts"]}
    assert set(kept) == set(before["counts"])
    assert {t: c for t, c in kept.items() if t not in GROWING | APPENDED} == {
        t: c for t, c in before["counts"].items() if t not in GROWING | APPENDED
    }
    assert all(kept[t] >= before["counts"][t] for t in APPENDED)

    # Content types keep their ids; the moved models' change app, the others nothing.
    expected = {id_: MOVED.get(label, label) for id_, label in before["content_types"].items()}
    assert {id_: after["content_types"][id_] for id_ in expected} == expected
    for old, new in MOVED.items():
        assert old not in after["content_types"].values()
        assert list(after["content_types"].values()).count(new) == 1

    # Permissions keep their ids, content types and codenames (grants point to ids).
    assert {id_: after["permissions"][id_] for id_ in before["permissions"]} == before[
        "permissions"
    ]

    # Today's models read the same rows through the same content types.
    old_ids = {label: id_ for id_, label in before["content_types"].items()}
    assert spot["content_types"] == {
        "Comment": old_ids[("projects", "comment")],
        "Notification": old_ids[("projects", "notification")],
        "NotificationPreference": old_ids[("projects", "notificationpreference")],
        "Presence": old_ids[("projects", "presence")],
    }
    assert spot["rows"] == {
        "comments": before["counts"]["projects_comment"],
        "notifications": before["counts"]["projects_notification"],
        "preferences": before["counts"]["projects_notificationpreference"],
        "presence": before["counts"]["projects_presence"],
        "project_grants": before["counts"]["projects_projectuserobjectpermission"],
        "guardian_user_rows": before["counts"]["guardian_userobjectpermission"],
        "guardian_group_rows": before["counts"]["guardian_groupobjectpermission"],
    }
    assert spot["comment_permissions"] == [
        "add_comment",
        "change_comment",
        "delete_comment",
        "view_comment",
    ]
    assert "projects.moderate_comments" in spot["curators"]


ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


# Each variant takes minutes: each runs in the pass of `make test` on its own database.
@pytest.mark.skipif(ON_POSTGRESQL, reason="the SQLite variant runs in the SQLite pass")
def test_a_sqlite_database_of_the_release_migrates_forward_with_every_row(tmp_path):
    database = SQLite(tmp_path)
    assert_every_row_kept(*migrate_forward(database, tmp_path))


@pytest.mark.services
@pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="needs DATABASE_URL=postgres://...: make test runs it in its PostgreSQL pass",
)
def test_a_postgresql_database_of_the_release_migrates_forward_with_every_row(tmp_path):
    database = PostgreSQL(tmp_path, postgresql_server())
    try:
        assert_every_row_kept(*migrate_forward(database, tmp_path))
    finally:
        database.drop()
