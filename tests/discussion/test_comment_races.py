"""Comment writes racing other writes on real threads, each with its own connection
(PostgreSQL: real row locks). Every service takes the project's row first, then reads the
comment, so a writer waiting for the project never holds the comment meanwhile, and what it
reads once it has the lock is what the other committed."""

import threading

import pytest
from django.db import transaction

from discussion.models import Comment
from discussion.services import delete_comment, edit_comment, post_comment
from projects.errors import Conflict, NotFound
from projects.models import Project, ProjectEvent
from tests.conftest import on_postgresql
from tests.workflows.test_concurrency import JOIN_TIMEOUT, in_thread, wait_until_blocked
from workflows import services

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def hold_then(locked, release, work):
    """Take the project's row lock, say so, wait for the word, then do ``work`` in the
    same transaction."""

    def run(project_pk):
        with transaction.atomic():
            Project.objects.select_for_update().get(pk=project_pk)
            locked.set()
            release.wait(JOIN_TIMEOUT)
            return work()

    return run


def race(project, first, second):
    """``first`` holds the project's lock while ``second`` starts and waits for it; then
    ``first`` goes on. Both outcomes (a result or the exception raised)."""
    locked, release = threading.Event(), threading.Event()
    holder, held_out = in_thread(hold_then(locked, release, first), project.pk)
    assert locked.wait(JOIN_TIMEOUT)
    waiter, wait_out = in_thread(second)
    wait_until_blocked(waiter)
    release.set()
    for thread in (holder, waiter):
        thread.join(JOIN_TIMEOUT)
        assert not thread.is_alive(), "a thread is stuck"
    return held_out.get("result", held_out.get("error")), wait_out.get(
        "result", wait_out.get("error")
    )


def test_an_edit_waiting_for_a_project_deletion_finds_nothing(make_project, owner):
    """The deletion removes the comments under the project's lock; an edit that locked the
    comment before waiting for the project deadlocked with it (a database error)."""
    project = make_project(owner)
    comment, _ = post_comment(by=owner, project=project, body="Premier jet.")
    deleted, edited = race(
        project,
        lambda: services.delete_project(by=owner, project=project),
        lambda: edit_comment(by=owner, comment=comment.pk, body="Second jet."),
    )
    assert deleted is None, deleted
    assert isinstance(edited, NotFound), edited
    assert not Comment.objects.exists()


def test_an_edit_waiting_for_a_moderation_reads_the_tombstone(project, owner, curator):
    comment, _ = post_comment(by=owner, project=project, body="Texte à modérer.")
    moderated, edited = race(
        project,
        lambda: delete_comment(by=curator, comment=comment.pk),
        lambda: edit_comment(by=owner, comment=comment.pk, body="Texte republié."),
    )
    assert isinstance(moderated, Comment), moderated
    assert isinstance(edited, Conflict) and edited.code == "deleted", edited
    comment.refresh_from_db()
    assert comment.is_deleted and comment.body == ""
    bodies = ProjectEvent.objects.filter(object_id=comment.pk).values_list("data__body", flat=True)
    assert set(bodies) == {""}


def test_a_moderation_waiting_for_an_edit_scrubs_the_edit_too(project, owner, curator):
    comment, _ = post_comment(by=owner, project=project, body="Premier texte.")
    edited, moderated = race(
        project,
        lambda: edit_comment(by=owner, comment=comment.pk, body="Texte modifié."),
        lambda: delete_comment(by=curator, comment=comment.pk),
    )
    assert isinstance(edited, Comment) and isinstance(moderated, Comment), (edited, moderated)
    bodies = ProjectEvent.objects.filter(object_id=comment.pk).values_list("data__body", flat=True)
    assert set(bodies) == {""}
