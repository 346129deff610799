"""GET /api/projects/{id}/events/?after=: the missed events, in order, exactly once."""

from discussion.api import EVENTS_PAGE
from discussion.services import delete_comment, edit_comment, post_comment
from projects import events


def url(project, after=None):
    query = "" if after is None else f"?after={after}"
    return f"/api/projects/{project.pk}/events/{query}"


def test_events_after(api, project, owner, member, django_assert_max_num_queries):
    first, _ = post_comment(by=owner, project=project, body="un")
    post_comment(by=member, project=project, body="deux")
    delete_comment(by=owner, comment=first.pk)
    api.as_(None).get(url(project))  # the first request sets up the session
    with django_assert_max_num_queries(4):
        response = api.get(url(project, 1))
    body = response.json()
    assert response.status_code == 200
    assert [(e["seq"], e["type"]) for e in body["results"]] == [
        (2, events.COMMENT_CREATED),
        (3, events.COMMENT_DELETED),
    ]
    assert (body["last_seq"], body["has_more"]) == (3, False)
    assert set(body["results"][0]) == {"type", "seq", "id", "project", "at", "data"}
    assert body["results"][1]["id"] == first.pk
    assert api.get(url(project)).json()["results"][0]["seq"] == 1
    assert api.get(url(project, 3)).json()["results"] == []


def test_events_paged(api, project, owner, settings):
    settings.COMMENT_RATE = (EVENTS_PAGE + 5, 60)
    for n in range(EVENTS_PAGE + 2):
        post_comment(by=owner, project=project, body=f"{n}")
    body = api.get(url(project, 0)).json()
    assert len(body["results"]) == EVENTS_PAGE and body["has_more"]
    rest = api.get(url(project, body["results"][-1]["seq"])).json()
    assert [e["seq"] for e in rest["results"]] == [EVENTS_PAGE + 1, EVENTS_PAGE + 2]
    assert not rest["has_more"]


def test_events_refusals(api, project, restricted_project, stranger, member):
    assert api.as_(stranger).get(url(restricted_project, 0)).status_code == 404
    assert api.as_(None).get(url(restricted_project, 0)).status_code == 404
    assert api.as_(member).get(url(restricted_project, 0)).status_code == 200
    assert api.get("/api/projects/999999/events/").status_code == 404
    for person in (member, None):
        for bad in ("-1", "abc", "1.5", "%C2%B2", "%D9%A3", "9" * 30, ""):
            response = api.as_(person).get(url(project, bad))
            assert response.status_code == 400, bad
            assert "after" in response.json()["errors"]


def texts(api, project):
    return repr(api.get(url(project, 0)).json()["results"])


def test_deleting_or_moderating_scrubs_every_earlier_event(api, project, member, curator):
    own, _ = post_comment(by=member, project=project, body="Mon numéro : 06 12 34 56 78")
    edit_comment(by=member, comment=own.pk, body="Mon numéro : 06 12 34 56 79")
    other, _ = post_comment(by=member, project=project, body="Propos injurieux")
    delete_comment(by=member, comment=own.pk)
    delete_comment(by=curator, comment=other.pk)  # moderation
    api.as_(None)
    body = api.get(url(project, 0)).json()
    # Every event keeps its place (no gap in seq), as a tombstone.
    assert [e["seq"] for e in body["results"]] == [1, 2, 3, 4, 5]
    for secret in ("06 12 34", "injurieux"):
        assert secret not in texts(api, project)
    created = body["results"][0]
    assert created["type"] == events.COMMENT_CREATED and created["data"]["body"] == ""
    assert created["data"]["html"] == ""


def test_an_edit_leaves_no_earlier_version_in_the_stream(api, project, member):
    comment, _ = post_comment(by=member, project=project, body="Première version")
    edit_comment(by=member, comment=comment.pk, body="Deuxième version")
    edit_comment(by=member, comment=comment.pk, body="Version finale")
    results = api.as_(None).get(url(project, 0)).json()["results"]
    assert [e["data"]["body"] for e in results] == ["Version finale"] * 3
    assert "Première" not in texts(api, project) and "Deuxième" not in texts(api, project)
