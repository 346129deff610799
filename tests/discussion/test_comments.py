"""Comment services: posting, replies, links, edits, tombstones, limits, idempotency."""

import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from discussion import services as comments
from discussion.models import Comment
from discussion.services import MAX_MENTIONS, delete_comment, edit_comment, post_comment, render
from notifications.models import Notification
from projects import events
from projects.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound, RateLimited
from projects.models import ProjectEvent
from tests.conftest import on_postgresql
from tests.plans import reaches_by_key


def stream(project):
    return list(ProjectEvent.objects.filter(project=project).values_list("seq", "type"))


def test_post_records_comment_and_event(project, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        comment, created = post_comment(by=member, project=project, body="Bonjour **équipe**")
    assert created
    assert comment.body == "Bonjour **équipe**"
    assert comment.body_html == "<p>Bonjour <strong>équipe</strong></p>\n"
    event = ProjectEvent.objects.get(project=project)
    assert (event.seq, event.type, event.object_id) == (1, events.COMMENT_CREATED, comment.pk)
    assert event.data["html"] == comment.body_html
    assert event.data["author"] == {"id": member.pk, "username": "member", "name": "Malik"}
    assert len(callbacks) == 1  # the broadcast waits for the commit


def test_seq_is_gapless_across_kinds(project, owner, member):
    first, _ = post_comment(by=member, project=project, body="un")
    edit_comment(by=member, comment=first, body="un (corrigé)")
    delete_comment(by=member, comment=first)
    post_comment(by=owner, project=project, body="deux")
    assert stream(project) == [
        (1, events.COMMENT_CREATED),
        (2, events.COMMENT_UPDATED),
        (3, events.COMMENT_DELETED),
        (4, events.COMMENT_CREATED),
    ]
    project.refresh_from_db()
    assert project.event_seq == 4


def test_stranger_comments_on_public_project(project, stranger):
    comment, _ = post_comment(by=stranger, project=project, body="Très intéressant.")
    assert comment.author == stranger


def test_visitor_may_not_comment(project):
    with pytest.raises(NotAuthenticated):
        post_comment(by=AnonymousUser(), project=project, body="Bonjour")
    assert not Comment.objects.exists()


def test_restricted_project_hidden_from_stranger(restricted_project, stranger, funder):
    with pytest.raises(NotFound):
        post_comment(by=stranger, project=restricted_project, body="Bonjour")
    comment, _ = post_comment(by=funder, project=restricted_project, body="Bonjour")
    assert comment.pk
    assert stream(restricted_project) == [(1, events.COMMENT_CREATED)]


@pytest.mark.parametrize(
    ("body", "code"),
    [("", "invalid"), ("   \n ", "invalid"), (42, "invalid"), (None, "invalid")],
)
def test_bad_bodies_write_nothing(project, member, body, code):
    with pytest.raises(Invalid) as error:
        post_comment(by=member, project=project, body=body)
    assert error.value.code == code
    assert not Comment.objects.exists()
    assert not ProjectEvent.objects.exists()


@override_settings(COMMENT_MAX_LENGTH=50)
def test_length_limit(project, member):
    post_comment(by=member, project=project, body="x" * 50)
    with pytest.raises(Invalid) as error:
        post_comment(by=member, project=project, body="x" * 51)
    assert error.value.code == "too_long"
    assert Comment.objects.count() == 1


@override_settings(COMMENT_RATE=(3, 60))
def test_rate_limit_counts_from_database(project, make_project, owner, member):
    other = make_project(owner, title="Autre projet")
    post_comment(by=member, project=project, body="1")
    post_comment(by=member, project=project, body="2")
    post_comment(by=member, project=other, body="3")  # the limit is per person, all projects
    with pytest.raises(RateLimited) as error:
        post_comment(by=member, project=project, body="4")
    assert 1 <= error.value.extra["retry_after"] <= 60
    assert Comment.objects.filter(author=member).count() == 3
    post_comment(by=owner, project=project, body="others still post")


@override_settings(COMMENT_RATE=(1, 60))
def test_client_id_makes_retry_idempotent(project, member):
    first, created = post_comment(by=member, project=project, body="Bonjour", client_id="abc-1")
    again, created_again = post_comment(
        by=member, project=project, body="Bonjour", client_id="abc-1"
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert Comment.objects.count() == 1
    assert stream(project) == [(1, events.COMMENT_CREATED)]  # and no rate-limit refusal


def test_client_id_of_another_project_conflicts(project, make_project, owner, member):
    other = make_project(owner, title="Autre projet", members=[member])
    post_comment(by=member, project=project, body="Bonjour", client_id="abc-1")
    with pytest.raises(Conflict):
        post_comment(by=member, project=other, body="Bonjour", client_id="abc-1")


@override_settings(COMMENT_MAX_LENGTH=50_000)
def test_mentions_per_comment_are_capped(project, member):
    many = " ".join(f"@person{n}" for n in range(MAX_MENTIONS + 1))
    with pytest.raises(Invalid) as error:
        post_comment(by=member, project=project, body=many)
    assert error.value.code == "too_many_mentions"
    comment, _ = post_comment(by=member, project=project, body=many.rsplit(" ", 1)[0])
    with pytest.raises(Invalid):
        edit_comment(by=member, comment=comment.pk, body=many)
    # Far past SQLite's expression-tree limit: refused, never a database error.
    with pytest.raises(Invalid):
        post_comment(by=member, project=project, body=" ".join(f"@p{n}" for n in range(1500)))
    assert Comment.objects.count() == 1


def test_client_id_too_long(project, member):
    with pytest.raises(Invalid):
        post_comment(by=member, project=project, body="Bonjour", client_id="x" * 65)


def test_replies_go_one_level_deep(project, owner, member):
    top, _ = post_comment(by=owner, project=project, body="Question ?")
    reply, _ = post_comment(by=member, project=project, body="Réponse.", parent=top.pk)
    assert reply.parent == top
    with pytest.raises(Invalid) as error:
        post_comment(by=owner, project=project, body="Re-réponse", parent=reply.pk)
    assert "parent" in error.value.extra["errors"]
    with pytest.raises(Invalid):
        post_comment(by=owner, project=project, body="?", parent="nope")
    assert Comment.objects.count() == 2


def test_parent_from_another_project_refused(project, make_project, owner):
    other = make_project(owner, title="Autre projet")
    elsewhere, _ = post_comment(by=owner, project=other, body="Ailleurs")
    with pytest.raises(Invalid):
        post_comment(by=owner, project=project, body="Ici", parent=elsewhere.pk)


def test_link_to_unknown_checklist_item_or_review_refused(project, owner):
    with pytest.raises(Invalid) as error:
        post_comment(by=owner, project=project, body="Voir ce critère", checklist_item=999999)
    assert "checklist_item" in error.value.extra["errors"]
    with pytest.raises(Invalid):
        post_comment(by=owner, project=project, body="Voir la revue", review=[1])
    assert not Comment.objects.exists()


def test_author_edits_and_deletes_own(project, member):
    comment, _ = post_comment(by=member, project=project, body="Brouillon")
    edited = edit_comment(by=member, comment=comment.pk, body="Version *finale*")
    assert edited.edited_at is not None
    assert edited.body_html == "<p>Version <em>finale</em></p>\n"
    deleted = delete_comment(by=member, comment=comment.pk)
    assert (deleted.body, deleted.body_html, deleted.deleted_by) == ("", "", member)
    assert comments.comment_data(deleted)["deleted"] is True
    assert comments.comment_data(deleted)["moderated"] is False
    with pytest.raises(Conflict):
        edit_comment(by=member, comment=comment.pk, body="Retour")
    with pytest.raises(Conflict):
        delete_comment(by=member, comment=comment.pk)


def test_others_may_not_edit_or_delete(project, owner, member, reviewer, stranger):
    comment, _ = post_comment(by=member, project=project, body="À moi")
    for person in (owner, reviewer, stranger):
        with pytest.raises(Forbidden):
            edit_comment(by=person, comment=comment.pk, body="Piraté")
        with pytest.raises(Forbidden):
            delete_comment(by=person, comment=comment.pk)
    comment.refresh_from_db()
    assert comment.body == "À moi" and comment.deleted_at is None
    assert stream(project) == [(1, events.COMMENT_CREATED)]


def test_curator_moderates(project, member, curator):
    comment, _ = post_comment(by=member, project=project, body="Hors sujet")
    edit_comment(by=curator, comment=comment.pk, body="[modéré]")
    delete_comment(by=curator, comment=comment.pk)
    comment.refresh_from_db()
    assert comments.comment_data(comment)["moderated"] is True


def test_comment_on_hidden_project_answers_not_found(restricted_project, member, stranger):
    comment, _ = post_comment(by=member, project=restricted_project, body="Interne")
    with pytest.raises(NotFound):
        edit_comment(by=stranger, comment=comment.pk, body="x")
    with pytest.raises(NotFound):
        delete_comment(by=stranger, comment=999999)


def test_tombstone_keeps_replies(project, owner, member):
    top, _ = post_comment(by=owner, project=project, body="Question ?")
    reply, _ = post_comment(by=member, project=project, body="Réponse.", parent=top.pk)
    delete_comment(by=owner, comment=top.pk)
    reply.refresh_from_db()
    assert reply.parent_id == top.pk
    with pytest.raises(Invalid):
        post_comment(by=member, project=project, body="Encore", parent=top.pk)


@pytest.mark.parametrize(
    ("source", "absent"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("[clic](javascript:alert(1))", "href"),
        ('<a href="javascript:alert(1)">x</a>', "<a "),
        ("<img src=x onerror=alert(1)>", "<img"),
        ("![x](https://example.org/x.png)", "<img"),
        ('<p onclick="alert(1)">x</p>', "<p onclick"),
        ("[x](vbscript:msgbox)", "href"),
        ("<iframe src='https://evil.example'></iframe>", "<iframe"),
    ],
)
def test_rendering_escapes_raw_html_and_bad_links(source, absent):
    assert absent not in render(source)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>a<script>alert(1)</script></p>", "<p>a</p>"),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="nofollow noopener noreferrer ugc">x</a>'),
        ('<p>x<img src="y.png" onerror="alert(1)"></p>', "<p>x</p>"),
        ('<a href="https://e.org" onmouseover="alert(1)">e</a>', None),
        ('<td style="color:red;text-align:right">1</td>', None),
    ],
)
def test_sanitiser_allow_list(html, expected):
    clean = comments.sanitise(html)
    if expected is not None:
        assert clean == expected
    for dangerous in ("script", "javascript:", "onerror", "onmouseover", "color"):
        assert dangerous not in clean


def test_rendering_keeps_markdown_and_safe_links():
    html = render("# Titre\n\n- un\n- deux\n\n[site](https://example.org) `code`\n\n~~non~~")
    assert "<h1>Titre</h1>" in html
    assert "<li>un</li>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="nofollow noopener noreferrer ugc"' in html
    assert "<code>code</code>" in html
    assert "<s>non</s>" in html


def test_mentions_notify_readers_only(
    restricted_project, owner, member, stranger, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment, _ = post_comment(
            by=member,
            project=restricted_project,
            body="@owner et @Reviewer, voyez. @stranger aussi. @member moi. mail@owner.example",
        )
    mentions = Notification.objects.filter(kind=Notification.Kind.MENTION)
    assert sorted(n.recipient.username for n in mentions) == ["owner", "reviewer"]
    assert {n.url for n in mentions} == {
        f"{restricted_project.get_absolute_url()}#comment-{comment.pk}"
    }


def test_mentions_find_the_people_by_key_not_by_reading_every_account(
    many_accounts, project, owner, member
):
    with CaptureQueriesContext(connection) as queries:
        post_comment(by=member, project=project, body="@Owner, voyez.")
    assert Notification.objects.get(kind=Notification.Kind.MENTION).recipient == owner
    people = [q["sql"] for q in queries.captured_queries if 'FROM "auth_user"' in q["sql"]]
    assert people
    assert all(reaches_by_key(sql, "auth_user") for sql in people), people


def test_mentions_extracted():
    assert comments.mentioned_usernames("@olga, @Malik. x@y.z @a.b_c-d! (@rita)") == {
        "olga",
        "malik",
        "a.b_c-d",
        "rita",
    }


def test_edit_notifies_only_new_mentions(project, owner, member, reviewer):
    comment, _ = post_comment(by=member, project=project, body="Merci @owner")
    edit_comment(by=member, comment=comment, body="Merci @owner et @reviewer")
    received = Notification.objects.filter(kind=Notification.Kind.MENTION)
    assert sorted(n.recipient.username for n in received) == ["owner", "reviewer"]


def test_reply_notifies_parent_author(project, owner, member, stranger):
    top, _ = post_comment(by=owner, project=project, body="Qui veut aider ?")
    post_comment(by=stranger, project=project, body="Moi !", parent=top.pk)
    post_comment(by=owner, project=project, body="Merci.", parent=top.pk)  # not to oneself
    replies = Notification.objects.filter(kind=Notification.Kind.REPLY)
    assert [(n.recipient, n.actor) for n in replies] == [(owner, stranger)]


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_posts_get_gapless_seqs(project, make_user, settings):
    """Eight people post at once on PostgreSQL: seqs 1..8, one each, in commit order."""
    people = [make_user(f"person{n}") for n in range(8)]
    start = threading.Barrier(len(people))
    failures = []

    def post(person):
        try:
            start.wait()
            post_comment(by=person, project=project, body=f"Bonjour de {person.username}")
        except Exception as error:  # reported by the assertion below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    rows = list(ProjectEvent.objects.filter(project=project).order_by("seq"))
    assert [e.seq for e in rows] == list(range(1, 9))
    assert sorted(e.object_id for e in rows) == sorted(Comment.objects.values_list("pk", flat=True))
    # Commit order is seq order: comment ids were taken in the same order as the seqs.
    assert [e.object_id for e in rows] == sorted(e.object_id for e in rows)
