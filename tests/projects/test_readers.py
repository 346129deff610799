"""``access.readers_among`` answers ``can_view`` for a whole list of recipients at once."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from notifications.models import Notification
from notifications.services import notify
from projects import access


@pytest.fixture
def everyone(owner, member, stranger, reviewer, funder, curator, make_user):
    direct = make_user("direct")
    direct.user_permissions.add(
        Permission.objects.get(codename="view_project", content_type__app_label="projects")
    )
    return [
        owner,
        member,
        stranger,
        reviewer,
        funder,
        curator,
        direct,
        make_user("boss", is_superuser=True),
        make_user("gone", "reviewers", is_active=False),
        make_user("guest"),
    ]


@pytest.mark.parametrize("visibility", ["public", "restricted"])
def test_readers_agree_with_can_view_for_every_role(
    make_project, owner, member, everyone, visibility
):
    project = make_project(owner, members=[member], visibility=visibility)
    guests = Group.objects.create(name="invités du projet")
    guests.user_set.add(everyone[-1])
    assign_perm("projects.view_project", guests, project)
    expected = {user.pk for user in everyone if access.can_view(user, project)}
    assert access.readers_among(everyone, project) == expected
    if visibility == "restricted":
        names = {user.username for user in everyone if user.pk in expected}
        assert names == {
            "owner",
            "member",
            "reviewer",
            "funder",
            "curator",
            "direct",
            "boss",
            "guest",
        }


def test_notifying_a_restricted_project_costs_the_same_for_any_number_of_people(
    restricted_project, owner, everyone
):
    with CaptureQueriesContext(connection) as queries:
        created = notify(
            kind=Notification.Kind.STAGE_CHANGED,
            recipients=everyone,
            project=restricted_project,
            actor=owner,
            text="Le projet passe en prototype.",
        )
    # Readers (1), preferences (1), rows (1).
    assert len(queries) == 3
    assert sorted(n.recipient.username for n in created) == [
        "boss",
        "curator",
        "direct",
        "funder",
        "member",
        "reviewer",
    ]
