"""The curator's programme console: gates, criteria, moderation and stuck reviews, written
through the same services as the API; refused to everyone else."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from discussion import services as comment_services
from discussion.models import Comment
from tests.plans import reads_in_index_order
from tests.workflows.conftest import attest_all
from workflows import services as workflow_services
from workflows.models import Criterion, Gate, GateReview

pytestmark = pytest.mark.django_db

PAGES = [
    "/console/",
    "/console/gates/pilot/",
    "/console/gates/pilot/criteria/new/",
    "/console/moderation/",
]


def criterion_url(code="pilot-gdpr"):
    return f"/console/criteria/{Criterion.objects.get(code=code).pk}/"


def new_criterion(**fields):
    return {
        "code": "pilot-partner",
        "principle": "general_interest",
        "title_fr": "Un partenaire territorial",
        "title_en": "A territorial partner",
        "level": "required",
        "evidence": "link",
        "position": "9",
        "active": "on",
        **fields,
    }


def test_curators_reach_every_page(browse, curator):
    client = browse(curator)
    for url in [*PAGES, criterion_url()]:
        assert client.get(url).status_code == 200, url
    assert b"/console/" in client.get("/space/").content


@pytest.mark.parametrize("person", ["reviewer", "funder", "owner", "stranger"])
def test_everyone_else_is_refused_and_nothing_changes(request, browse, person, project):
    client = browse(request.getfixturevalue(person))
    for url in [*PAGES, criterion_url()]:
        assert client.get(url).status_code == 403, url
    comment, _ = comment_services.post_comment(
        by=request.getfixturevalue("owner"), project=project, body="Bonjour."
    )
    writes = [
        ("/console/gates/pilot/", {"quorum": "1"}),
        ("/console/gates/pilot/criteria/new/", new_criterion()),
        (criterion_url(), new_criterion(code="pilot-gdpr", level="recommended")),
        (criterion_url() + "delete/", {}),
        (f"/console/moderation/{comment.pk}/delete/", {}),
    ]
    for url, data in writes:
        assert client.post(url, data).status_code == 403, url
    assert Gate.objects.get(stage="pilot").quorum == 2
    assert not Criterion.objects.filter(code="pilot-partner").exists()
    assert Criterion.objects.get(code="pilot-gdpr").level == "required"
    assert Comment.objects.get(pk=comment.pk).deleted_at is None
    assert "/console/" not in client.get("/space/").content.decode()


def test_visitors_are_sent_to_sign_in(browse):
    for url in PAGES:
        response = browse().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_missing_gate_or_criterion_is_a_404(browse, curator):
    client = browse(curator)
    assert client.get("/console/gates/nowhere/").status_code == 404
    assert client.get("/console/criteria/999999/").status_code == 404
    assert client.post("/console/criteria/999999/delete/").status_code == 404
    assert client.post("/console/moderation/999999/delete/").status_code == 404


def test_curator_sets_quorum_and_pool(browse, curator, reviewer, reviewer2, stranger):
    client = browse(curator)
    response = client.post(
        "/console/gates/pilot/", {"quorum": "3", "reviewers": [str(reviewer.pk)]}
    )
    assert response.status_code == 302
    gate = Gate.objects.get(stage="pilot")
    assert gate.quorum == 3
    assert list(gate.reviewers.all()) == [reviewer]
    # Only reviewers are offered, and a bad quorum comes back with its message.
    page = client.get("/console/gates/pilot/")
    offered = set(page.context["form"].fields["reviewers"].queryset)
    assert offered == {reviewer, reviewer2}
    refused = client.post(
        "/console/gates/pilot/", {"quorum": "12", "reviewers": [str(stranger.pk)]}
    )
    assert refused.status_code == 400
    assert set(refused.context["form"].errors) == {"quorum", "reviewers"}
    gate.refresh_from_db()
    assert gate.quorum == 3


def test_curator_adds_edits_and_deletes_a_criterion(browse, curator):
    client = browse(curator)
    response = client.post("/console/gates/pilot/criteria/new/", new_criterion())
    assert response.status_code == 302
    created = Criterion.objects.get(code="pilot-partner")
    assert created.gate.stage == "pilot"
    assert created.evidence == "link"
    again = client.post("/console/gates/pilot/criteria/new/", new_criterion())
    assert again.status_code == 400
    assert "code" in again.context["form"].errors
    edit = client.post(
        f"/console/criteria/{created.pk}/", new_criterion(level="recommended", title_fr="")
    )
    assert edit.status_code == 400
    assert "title_fr" in edit.context["form"].errors
    client.post(f"/console/criteria/{created.pk}/", new_criterion(level="recommended"))
    assert Criterion.objects.get(pk=created.pk).level == "recommended"
    assert client.post(f"/console/criteria/{created.pk}/delete/").status_code == 302
    assert not Criterion.objects.filter(pk=created.pk).exists()


def test_an_answered_criterion_stays_and_says_why(browse, curator, project):
    item = project.checklist.select_related("criterion").first()
    response = browse(curator).post(f"/console/criteria/{item.criterion.pk}/delete/", follow=True)
    assert "désactivez-le plutôt" in response.content.decode()
    assert Criterion.objects.filter(pk=item.criterion.pk).exists()


def test_moderation_lists_the_latest_comments_and_deletes_through_the_service(
    browse, curator, owner, project, restricted_project
):
    public, _ = comment_services.post_comment(by=owner, project=project, body="Premier.")
    secret, _ = comment_services.post_comment(by=owner, project=restricted_project, body="Discret.")
    client = browse(curator)
    listed = list(client.get("/console/moderation/").context["page"].object_list)
    assert listed == [secret, public]
    assert client.post(f"/console/moderation/{public.pk}/delete/").status_code == 302
    public.refresh_from_db()
    assert public.deleted_by == curator
    assert public.body == ""
    assert list(client.get("/console/moderation/").context["page"].object_list) == [secret]
    # A second delete is a conflict, said in a message, not an error page.
    again = client.post(f"/console/moderation/{public.pk}/delete/", follow=True)
    assert "déjà été supprimé" in again.content.decode()


def test_stuck_reviews_are_the_old_open_ones(browse, curator, owner, project, restricted_project):
    attest_all(project, owner)
    attest_all(restricted_project, owner)
    old = workflow_services.open_review(by=owner, project=project)
    workflow_services.open_review(by=owner, project=restricted_project)
    GateReview.objects.filter(pk=old.pk).update(opened_at=timezone.now() - timedelta(days=20))
    client = browse(curator)
    assert [r.pk for r in client.get("/console/").context["stuck"]] == [old.pk]
    assert len(client.get("/console/?days=30").context["stuck"]) == 0
    bad = client.get("/console/?days=zero")
    assert bad.status_code == 400
    assert bad.context["days"] == 14


def test_console_and_moderation_query_counts_are_flat(browse, curator, owner, make_project):
    client = browse(curator)
    project = make_project(owner)
    comment_services.post_comment(by=owner, project=project, body="Un.")
    with CaptureQueriesContext(connection) as few:
        client.get("/console/moderation/")
        client.get("/console/")
        client.get("/console/gates/pilot/")
    for number in range(8):
        other = make_project(owner, title=f"Projet {number}")
        comment_services.post_comment(by=owner, project=other, body=f"Message {number}.")
        attest_all(other, owner)
    with CaptureQueriesContext(connection) as many:
        client.get("/console/moderation/")
        client.get("/console/")
        client.get("/console/gates/pilot/")
    assert len(many) == len(few)


def test_curator_sets_the_reuses_the_commons_gate_needs(browse, curator):
    page = browse(curator).get("/console/gates/commons/").content.decode()
    assert 'name="reuses_required"' in page
    assert (
        'name="reuses_required"'
        not in browse(curator).get("/console/gates/pilot/").content.decode()
    )
    response = browse(curator).post(
        "/console/gates/commons/", {"quorum": "2", "reuses_required": "3"}
    )
    assert response.status_code == 302
    assert Gate.objects.get(stage="commons").reuses_required == 3
    refused = browse(curator).post(
        "/console/gates/commons/", {"quorum": "2", "reuses_required": "0"}
    )
    assert refused.status_code == 400
    assert Gate.objects.get(stage="commons").reuses_required == 3


def test_the_moderation_queue_reads_its_page_from_an_index_newest_first(
    browse, curator, owner, project
):
    """However many comments the site holds, a page of the queue reads that page's rows in
    order from an index, not every comment sorted."""
    comment_services.post_comment(by=owner, project=project, body="Un.")
    client = browse(curator)
    with CaptureQueriesContext(connection) as queries:
        client.get("/console/moderation/")
    page = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "projects_comment"' in q["sql"] and "ORDER BY" in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert page
    assert all(reads_in_index_order(sql, "projects_comment") for sql in page), page
