"""What the permission-table tests share: every role, on a public and a restricted project."""

import pytest

ROLES = ["visitor", "stranger", "member", "owner", "reviewer", "funder", "curator"]


@pytest.fixture
def people(owner, member, reviewer, funder, curator, stranger):
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
