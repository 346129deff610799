"""Comment endpoints: the allowed person, the one who may see but not act, the stranger."""

import pytest
from django.test import override_settings

from discussion.models import Comment
from discussion.services import post_comment
from projects.models import ProjectEvent


def comments_url(project):
    return f"/api/projects/{project.pk}/comments/"


def test_list_thread_in_order_with_tombstones(
    api, project, owner, member, django_assert_max_num_queries
):
    first, _ = post_comment(by=owner, project=project, body="Premier")
    post_comment(by=member, project=project, body="Réponse", parent=first.pk)
    post_comment(by=member, project=project, body="Troisième")
    assert api.as_(owner).delete(f"/api/comments/{first.pk}/").status_code == 204
    api.as_(None)
    with django_assert_max_num_queries(4):
        response = api.get(comments_url(project))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [c["body"] for c in results] == ["", "Réponse", "Troisième"]
    assert results[0]["deleted"] and results[0]["html"] == ""
    assert results[1]["parent"] == first.pk
    assert set(results[1]) == {
        "id", "project", "author", "body", "html", "parent", "checklist_item", "review",
        "client_id", "created_at", "edited_at", "deleted", "deleted_at", "moderated",
    }  # fmt: skip


def test_list_hidden_project(api, restricted_project, stranger, funder):
    assert api.as_(None).get(comments_url(restricted_project)).status_code == 404
    assert api.as_(stranger).get(comments_url(restricted_project)).status_code == 404
    assert api.as_(funder).get(comments_url(restricted_project)).status_code == 200
    assert api.as_(funder).get("/api/projects/999999/comments/").status_code == 404


def test_post(api, project, stranger):
    response = api.as_(stranger).post(
        comments_url(project), {"body": "Bonjour *tous*", "client_id": "c1"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["html"] == "<p>Bonjour <em>tous</em></p>\n"
    again = api.post(comments_url(project), {"body": "Bonjour *tous*", "client_id": "c1"})
    assert again.status_code == 200
    assert again.json()["id"] == response.json()["id"]
    assert Comment.objects.count() == 1


def test_post_refusals(api, project, restricted_project, stranger):
    assert api.as_(None).post(comments_url(project), {"body": "x"}).status_code == 401
    assert api.as_(stranger).post(comments_url(restricted_project), {"body": "x"}).status_code == (
        404
    )
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"body": ""},
        {"body": "x", "unknown": 1},
        {"body": "x", "parent": 999999},
        {"body": "x", "parent": "abc"},
        {"body": "x", "checklist_item": 999999},
        {"body": "x", "client_id": "x" * 65},
        {"body": ["liste"]},
    ],
)
def test_post_bad_input(api, project, member, payload):
    response = api.as_(member).post(comments_url(project), payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid", "too_long"}
    assert "errors" in response.json()
    assert not Comment.objects.exists()
    assert not ProjectEvent.objects.exists()


def test_post_not_an_object(api, project, member):
    response = api.as_(member).post(comments_url(project), ["body"], format="json")
    assert response.status_code == 400
    assert not Comment.objects.exists()


@override_settings(COMMENT_MAX_LENGTH=10)
def test_post_too_long(api, project, member):
    response = api.as_(member).post(comments_url(project), {"body": "x" * 11}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "too_long"


@override_settings(COMMENT_RATE=(2, 60))
def test_post_rate_limited(api, project, member):
    for n in range(2):
        assert api.as_(member).post(comments_url(project), {"body": f"{n}"}).status_code == 201
    response = api.post(comments_url(project), {"body": "encore"})
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "rate_limited"
    assert 1 <= body["retry_after"] <= 60
    assert response["Retry-After"] == str(body["retry_after"])
    assert Comment.objects.count() == 2


def test_edit_and_delete(api, project, owner, member, curator):
    comment, _ = post_comment(by=member, project=project, body="Brouillon")
    url = f"/api/comments/{comment.pk}/"
    assert api.as_(owner).patch(url, {"body": "Piraté"}, format="json").status_code == 403
    assert api.as_(owner).delete(url).status_code == 403
    assert api.as_(None).patch(url, {"body": "Piraté"}, format="json").status_code == 401
    response = api.as_(member).patch(url, {"body": "Propre"}, format="json")
    assert response.status_code == 200
    assert response.json()["edited_at"]
    assert api.as_(member).patch(url, {}, format="json").status_code == 400
    assert api.as_(member).patch(url, {"body": "x", "author": 1}, format="json").status_code == (
        400
    )
    assert api.as_(curator).delete(url).status_code == 204
    assert api.as_(curator).delete(url).status_code == 409
    assert api.as_(member).get(url).json()["moderated"] is True


def test_detail_hidden(api, restricted_project, member, stranger):
    comment, _ = post_comment(by=member, project=restricted_project, body="Interne")
    url = f"/api/comments/{comment.pk}/"
    assert api.as_(stranger).get(url).status_code == 404
    assert api.as_(stranger).patch(url, {"body": "x"}, format="json").status_code == 404
    assert api.as_(stranger).delete(url).status_code == 404
    assert api.as_(member).get("/api/comments/999999/").status_code == 404
    assert api.as_(member).get(url).status_code == 200


# The same bodies the socket refuses frame by frame (tests/live/test_consumers.py):
# one validation for both interfaces.
@pytest.mark.parametrize(
    "raw",
    [
        '{"body": ' + "[" * 1500 + "]" * 1500 + "}",
        '{"body": ' + "[" * 40 + "]" * 40 + "}",
        '{"body": "\\ud800"}',
        '{"body": "a\\u0000b"}',
        '{"body": "x", "client_id": "k\\u0000"}',
        '{"body": "x", "client_id": 7}',
        '{"body": "x", "author": 1}',
        '{"body": "x", "parent": 99999999999999999999}',
        '{"body": "x", "parent": "\u00b2"}',
    ],
)
def test_bad_posts_answer_400_and_write_nothing(api, project, member, raw):
    response = api.as_(member).generic(
        "POST", comments_url(project), raw.encode(), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid", "parse_error"}
    assert not Comment.objects.exists()
    assert not ProjectEvent.objects.exists()


def test_edit_refusals_come_before_the_body_is_read(api, project, restricted_project, member):
    mine, _ = post_comment(by=member, project=project, body="Bonjour")
    hidden, _ = post_comment(by=member, project=restricted_project, body="Discret")
    garbage = {"body": 12, "colour": "red"}
    assert api.as_(None).patch(f"/api/comments/{mine.pk}/", garbage).status_code == 401
    assert api.as_(None).patch(f"/api/comments/{hidden.pk}/", garbage).status_code == 404
    assert api.as_(None).post("/api/notifications/read/", {"ids": "x"}).status_code == 401
    Comment.objects.filter(pk=mine.pk).update(author=None)  # nobody's: only curators moderate
    assert api.as_(member).patch(f"/api/comments/{mine.pk}/", garbage).status_code == 403
    assert Comment.objects.get(pk=mine.pk).body == "Bonjour"
