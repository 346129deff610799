"""The people every test speaks of, and the project they share."""

import importlib
import os

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import translation
from rest_framework.test import APIClient

from projects import services
from projects.models import Role
from workflows import services as workflow_services

User = get_user_model()
PASSWORD = "test-password-1234"

on_postgresql = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL: make test runs it again with DATABASE_URL when PostgreSQL answers",
)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """One test database per run (named after the process), so that runs sharing a machine
    and its PostgreSQL never drop each other's database."""
    from pytest_django.fixtures import _set_suffix_to_test_databases

    _set_suffix_to_test_databases(suffix=str(os.getpid()))


@pytest.fixture(autouse=True, scope="session")
def flush_past_the_audit_triggers():
    """Transactional tests end with Django's ``flush``, which empties every table; the
    database refuses to remove StageTransition rows (workflows migration 0006), holds,
    conditions and lessons (0010), and scans while their project exists (evidence 0002,
    rewritten by 0004: the order in which the flush empties the tables decides whether
    that holds). The flush of a test database lifts those triggers for its own transaction
    and puts them back as the migrations left them."""
    from django.core.management.commands import flush

    stages = importlib.import_module("workflows.migrations.0006_stage_transitions_never_deleted")
    lifecycle = importlib.import_module("workflows.migrations.0010_lifecycle_records_written_once")
    evidence = importlib.import_module("evidence.migrations.0002_append_only_triggers")
    queued = importlib.import_module("evidence.migrations.0004_queued_scans_and_overrides")
    original = flush.sql_flush

    def sql_flush(style, connection, *args, **kwargs):
        statements = original(style, connection, *args, **kwargs)
        vendor = connection.vendor
        if not statements or vendor not in ("sqlite", "postgresql"):
            return statements
        forward, reverse = vendor.upper(), f"{vendor.upper()}_REVERSE"
        lift = [sql for module in (stages, lifecycle, evidence) for sql in getattr(module, reverse)]
        restore = [  # the guards as the last migration that rewrote each left them
            *getattr(stages, forward),
            *getattr(lifecycle, forward),
            *getattr(evidence, forward),
            *queued.DROP[vendor],
            *queued.NEW[vendor],
        ]
        return [*lift, *statements, *restore]

    flush.sql_flush = sql_flush
    yield
    flush.sql_flush = original


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Passwords hashed in a microsecond: the strong hasher costs a third of a second each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Pages name their static files without the manifest that a production collectstatic
    writes (the PostgreSQL run uses the production profile; `make setup` collects in the
    embedded one)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache (Redis outlives a test's database)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def site_language():
    """Each test starts in the site's language: a request through the test client leaves the
    language it negotiated active in the test's thread."""
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def run_tasks(db, monkeypatch):
    """Run every task that is due, as `manage.py db_worker --batch` does, inside the test's
    transaction (the worker's connection housekeeping would close it). Returns how many ran;
    ``limit`` stops after that many."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run(limit: int | None = None) -> int:
        worker = db_worker.Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=limit,
            worker_id="test-worker",
            excluded_queue_names=[],
        )
        worker.run()
        return worker._run_tasks

    return run


@pytest.fixture
def many_accounts(db):
    """On PostgreSQL, enough accounts, analysed, that reading them all costs more than
    looking a few up: the planner chooses by the table's size (``tests.plans``). SQLite's
    plan follows the query's shape."""
    if connection.vendor == "postgresql":
        User.objects.bulk_create(User(username=f"compte-{n}") for n in range(20_000))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE auth_user")


@pytest.fixture
def make_user(db):
    def make(username: str, *groups: str, **fields):
        user = User.objects.create_user(username, f"{username}@example.org", PASSWORD, **fields)
        if groups:
            user.groups.add(*Group.objects.filter(name__in=groups))
        return user

    return make


@pytest.fixture
def owner(make_user):
    return make_user("owner", first_name="Olga")


@pytest.fixture
def member(make_user):
    return make_user("member", first_name="Malik")


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer", "reviewers", first_name="Rita")


@pytest.fixture
def reviewer2(make_user):
    return make_user("reviewer2", "reviewers", first_name="Romain")


@pytest.fixture
def funder(make_user):
    return make_user("funder", "funders", first_name="Fanny")


@pytest.fixture
def curator(make_user):
    return make_user("curator", "curators", first_name="Camille")


@pytest.fixture
def stranger(make_user):
    return make_user("stranger", first_name="Sacha")


@pytest.fixture
def make_project(db):
    """A project as the product builds it: proposed through the workflow (so it has the
    checklist of its first gate), its team added through the team services."""

    def make(owner, *, members=(), **fields):
        fields.setdefault("title", "Kit d'inclusion numérique")
        fields.setdefault("summary", "Un kit pour accompagner les premiers pas en ligne.")
        project = workflow_services.propose_project(by=owner, **fields)
        for person in members:
            services.add_member(by=owner, project=project, user_id=person.pk, role=Role.MEMBER)
        return project

    return make


@pytest.fixture
def project(make_project, owner, member):
    return make_project(owner, members=[member])


@pytest.fixture
def restricted_project(make_project, owner, member):
    return make_project(owner, members=[member], visibility="restricted", title="Projet discret")


@pytest.fixture
def people(owner, member, reviewer, funder, curator, stranger):
    """Everyone of the permission table, by role (``tests/permission_table.py``)."""
    return {
        "visitor": None,
        "stranger": stranger,
        "member": member,
        "owner": owner,
        "reviewer": reviewer,
        "funder": funder,
        "curator": curator,
    }


@pytest.fixture
def projects(project, restricted_project):
    return {"public": project, "restricted": restricted_project}


@pytest.fixture
def api():
    """An API client; ``api.as_(user)`` signs in (None signs out)."""

    client = APIClient()

    def as_(user):
        client.force_authenticate(user)
        return client

    client.as_ = as_
    return client


@pytest.fixture
def at_commons(project, owner, reviewer, reviewer2):
    """The shared project walked through its three gates (an outside organisation's reuse
    verified at the last one)."""
    from tests.workflows.conftest import pass_gate

    for _gate in range(3):
        pass_gate(project, owner, [reviewer, reviewer2])
    project.refresh_from_db()
    assert project.stage == "commons"
    return project
