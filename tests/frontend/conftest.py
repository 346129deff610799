"""Test-client helpers for the pages: a signed-in browser per named person."""

import pytest
from django.test import Client

from projects import services as project_services
from workflows import services as workflow_services


@pytest.fixture
def browse():
    """``browse(user)`` is a test client signed in as ``user`` (None: a visitor), with CSRF
    checks on like a real browser."""

    def make(user=None):
        client = Client(enforce_csrf_checks=False)
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def proposed(owner, member):
    """A project proposed through the workflow, so it has its first checklist."""
    project = workflow_services.propose_project(
        by=owner, title="Kit d'inclusion numérique", summary="Un kit pour les premiers pas."
    )
    project_services.add_member(by=owner, project=project, user_id=member.pk, role="member")
    return project


@pytest.fixture
def hidden(owner, member):
    """A restricted project of the same team."""
    return workflow_services.propose_project(
        by=owner, title="Projet discret", summary="Réservé à l'équipe.", visibility="restricted"
    )
