"""``update_profile``: a person's own name and e-mail, validated like the model."""

import pytest
from django.contrib.auth.models import AnonymousUser

from projects.errors import Invalid, NotAuthenticated
from projects.services import update_profile


def test_a_person_updates_their_profile(stranger):
    update_profile(by=stranger, first_name="Sacha", last_name="Martin", email="s@Example.ORG")
    stranger.refresh_from_db()
    assert (stranger.first_name, stranger.last_name, stranger.email) == (
        "Sacha",
        "Martin",
        "s@example.org",
    )


def test_bad_input_writes_nothing(stranger):
    with pytest.raises(Invalid) as bad:
        update_profile(by=stranger, first_name="x" * 151, last_name="", email="pas-un-email")
    assert set(bad.value.extra["errors"]) == {"first_name", "email"}
    stranger.refresh_from_db()
    assert (stranger.first_name, stranger.email) == ("Sacha", "stranger@example.org")


def test_a_visitor_has_no_profile(db):
    with pytest.raises(NotAuthenticated):
        update_profile(by=AnonymousUser(), first_name="", last_name="", email="")
