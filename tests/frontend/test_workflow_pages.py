"""The workflow and the thread through the project page: checklist answers, reviews,
decisions, transitions, comments, the live fragments and the reviewer's inbox."""

import pytest

from discussion import services as comment_services
from discussion.models import Comment
from projects.models import Stage
from workflows import services as workflow_services
from workflows.models import ChecklistItem, Decision, GateReview, ItemStatus

pytestmark = pytest.mark.django_db


def required_items(project):
    return list(
        ChecklistItem.objects.filter(project=project, required=True, criterion__computed="")
    )


def attest_all(project, by):
    for item in required_items(project):
        workflow_services.attest_item(by=by, item=item, evidence_text="Voici comment.")


def item_url(project, item, action):
    return f"/projects/{project.pk}/checklist/{item.pk}/{action}/"


def test_member_attests_an_item(browse, project, member):
    item = required_items(project)[0]
    response = browse(member).post(
        item_url(project, item, "attest"), {f"attest-{item.pk}-evidence_text": "Notre analyse."}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{item.pk}")
    item.refresh_from_db()
    assert item.status == ItemStatus.ATTESTED
    assert item.evidence_text == "Notre analyse."


def test_attest_with_bad_input_shows_the_error_at_the_item(browse, project, member):
    item = required_items(project)[0]
    response = browse(member).post(
        item_url(project, item, "attest"), {f"attest-{item.pk}-evidence_url": "pas un lien"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_attest-{item.pk}-evidence_url_error"' in html
    assert 'value="pas un lien"' in html
    item.refresh_from_db()
    assert item.status == ItemStatus.TODO


def test_service_field_errors_reach_the_form(browse, project, member):
    """A text criterion given only a link: the service's own rule, shown at the field."""
    item = required_items(project)[0]
    response = browse(member).post(
        item_url(project, item, "attest"),
        {f"attest-{item.pk}-evidence_url": "https://example.org/preuve"},
    )
    assert response.status_code == 400
    assert f'id="id_attest-{item.pk}-evidence_text_error"' in response.content.decode()


def test_not_applicable_needs_a_justification(browse, project, member):
    item = required_items(project)[0]
    url = item_url(project, item, "not_applicable")
    assert browse(member).post(url, {}).status_code == 400
    browse(member).post(url, {f"na-{item.pk}-justification": "Sans objet ici."})
    item.refresh_from_db()
    assert item.status == ItemStatus.NOT_APPLICABLE


def test_checklist_refusals(browse, project, restricted_project, stranger, reviewer, member):
    item = required_items(project)[0]
    data = {f"attest-{item.pk}-evidence_text": "x"}
    assert browse(stranger).post(item_url(project, item, "attest"), data).status_code == 403
    assert browse(reviewer).post(item_url(project, item, "attest"), data).status_code == 403
    assert browse().post(item_url(project, item, "attest"), data).status_code == 302
    hidden_item = required_items(restricted_project)[0]
    response = browse(stranger).post(
        item_url(restricted_project, hidden_item, "attest"),
        {f"attest-{hidden_item.pk}-evidence_text": "x"},
    )
    assert response.status_code == 404
    assert browse(member).post(item_url(project, item, "dance"), {}).status_code == 404
    assert (
        browse(member).post(item_url(restricted_project, item, "attest"), data).status_code == 404
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.TODO


def test_reviewer_verifies_and_rejects(browse, project, member, reviewer):
    first, second = required_items(project)[:2]
    for item in (first, second):
        workflow_services.attest_item(by=member, item=item, evidence_text="Preuve.")
    client = browse(reviewer)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert item_url(project, first, "verify") in page
    client.post(item_url(project, first, "verify"), {})
    response = client.post(item_url(project, second, "reject"), {})
    assert response.status_code == 400
    client.post(item_url(project, second, "reject"), {f"reject-{second.pk}-note": "Trop vague."})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ItemStatus.VERIFIED
    assert second.status == ItemStatus.REJECTED
    assert second.review_note == "Trop vague."


def test_team_member_cannot_verify(browse, project, member, owner):
    item = required_items(project)[0]
    workflow_services.attest_item(by=member, item=item, evidence_text="Preuve.")
    assert browse(owner).post(item_url(project, item, "verify"), {}).status_code == 403
    item.refresh_from_db()
    assert item.status == ItemStatus.ATTESTED


def test_opening_a_review_too_early_explains_why(browse, project, owner):
    page = browse(owner).get(f"/projects/{project.pk}/").content.decode()
    assert "Ce qui manque pour demander une revue" in page
    response = browse(owner).post(f"/projects/{project.pk}/review/", follow=True)
    html = response.content.decode()
    assert "5 critères requis ne sont pas encore attestés." in html
    assert not GateReview.objects.exists()


LIVE_FORM = {"headers": {"X-Live-Form": "1"}}


def test_a_form_posted_in_the_background_gets_its_message_alone(browse, project, member, reviewer):
    """The live module posts the workflow's forms in the background: the answer is the
    message, as JSON, and nothing waits in the session for the next page."""
    item = required_items(project)[0]
    workflow_services.attest_item(by=member, item=item, evidence_text="Preuve.")
    client = browse(reviewer)
    response = client.post(item_url(project, item, "verify"), {}, **LIVE_FORM)
    assert response.status_code == 200
    assert response.json() == {"level": "success", "message": "Critère vérifié."}
    item.refresh_from_db()
    assert item.status == ItemStatus.VERIFIED
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "Critère vérifié." not in page

    # Without the header (no JavaScript, or the socket down), the page comes back with it.
    second = required_items(project)[1]
    workflow_services.attest_item(by=member, item=second, evidence_text="Preuve.")
    response = client.post(item_url(project, second, "verify"), {}, follow=True)
    assert "Critère vérifié." in response.content.decode()


def test_a_person_refused_in_the_background_gets_the_refusal_page(
    browse, project, member, owner, stranger
):
    """No JSON for someone who may not act: the same refusal as without the header, which
    the live module shows by sending the form as usual."""
    item = required_items(project)[0]
    workflow_services.attest_item(by=member, item=item, evidence_text="Preuve.")
    for who, status in ((owner, 403), (stranger, 403)):
        response = browse(who).post(item_url(project, item, "verify"), {}, **LIVE_FORM)
        assert response.status_code == status
        assert not response["Content-Type"].startswith("application/json")
    item.refresh_from_db()
    assert item.status == ItemStatus.ATTESTED


def test_a_refusal_in_the_background_says_why_and_writes_nothing(browse, project, owner):
    client = browse(owner)
    response = client.post(f"/projects/{project.pk}/review/", **LIVE_FORM)
    assert response.status_code == 200
    answer = response.json()
    assert answer["level"] == "error"
    assert "5 critères requis ne sont pas encore attestés." in answer["message"]
    assert not GateReview.objects.exists()
    assert 'class="messages"' not in client.get(f"/projects/{project.pk}/").text

    # Input it refuses comes back as the page, with the form and its errors, as without
    # the header: the live module takes the form from it.
    item = required_items(project)[0]
    response = client.post(
        item_url(project, item, "attest"),
        {f"attest-{item.pk}-evidence_url": "pas un lien"},
        **LIVE_FORM,
    )
    assert response.status_code == 400
    assert f'id="id_attest-{item.pk}-evidence_url_error"' in response.text


def test_full_gate_through_the_pages(browse, project, owner, reviewer):
    attest_all(project, owner)
    browse(owner).post(f"/projects/{project.pk}/review/")
    review = GateReview.objects.get(project=project)
    assert review.status == GateReview.Status.OPEN
    client = browse(reviewer)
    inbox = client.get("/inbox/")
    assert [r.pk for r in inbox.context["reviews"]] == [review.pk]
    assert len(inbox.context["items"]) == 5
    for item in required_items(project):
        client.post(item_url(project, item, "verify"), {})
    response = client.post(f"/reviews/{review.pk}/decide/", {"decide-verdict": "approve"})
    assert response.status_code == 400
    assert "rationale" in response.context["decide_form"].errors
    client.post(
        f"/reviews/{review.pk}/decide/",
        {"decide-verdict": "approve", "decide-rationale": "Solide."},
    )
    project.refresh_from_db()
    assert project.stage == Stage.PROTOTYPE
    html = client.get(f"/projects/{project.pk}/").content.decode()
    assert "Passage à l&#x27;étape suivante" in html
    assert client.get("/inbox/").context["reviews"] == []


def test_decision_refusals(browse, project, owner, member, funder, reviewer):
    attest_all(project, owner)
    review = workflow_services.open_review(by=owner, project=project)
    data = {"decide-verdict": "approve", "decide-rationale": "Moi-même."}
    response = browse(member).post(f"/reviews/{review.pk}/decide/", data)
    assert response.status_code == 403
    assert "propre projet" in response.content.decode()
    assert browse(funder).post(f"/reviews/{review.pk}/decide/", data).status_code == 403
    assert browse(reviewer).post("/reviews/999999/decide/", data).status_code == 404
    assert not Decision.objects.exists()


def test_withdraw_review(browse, project, owner, stranger):
    attest_all(project, owner)
    review = workflow_services.open_review(by=owner, project=project)
    assert browse(stranger).post(f"/reviews/{review.pk}/withdraw/").status_code == 403
    browse(owner).post(f"/reviews/{review.pk}/withdraw/")
    review.refresh_from_db()
    assert review.status == GateReview.Status.WITHDRAWN
    response = browse(owner).post(f"/reviews/{review.pk}/withdraw/", follow=True)
    assert "Cette revue est close." in response.content.decode()


def test_archive_and_reopen(browse, project, owner, curator, member):
    url = f"/projects/{project.pk}/transitions/archive/"
    response = browse(owner).post(url, {})
    assert response.status_code == 400
    assert "rationale" in response.context["manual_transitions"][0]["form"].errors
    assert browse(member).post(url, {"transition-archive-rationale": "x"}).status_code == 403
    browse(owner).post(url, {"transition-archive-rationale": "Équipe dissoute."})
    project.refresh_from_db()
    assert project.stage == Stage.ARCHIVED
    assert (
        browse(owner)
        .post(f"/projects/{project.pk}/transitions/reopen/", {"transition-reopen-rationale": "x"})
        .status_code
        == 403
    )
    browse(curator).post(
        f"/projects/{project.pk}/transitions/reopen/",
        {"transition-reopen-rationale": "Nouvelle équipe."},
    )
    project.refresh_from_db()
    assert project.stage == Stage.IDEA
    assert (
        browse(curator).post(f"/projects/{project.pk}/transitions/advance/", {}).status_code == 404
    )


def test_send_back_when_not_possible_says_why(browse, project, reviewer):
    response = browse(reviewer).post(
        f"/projects/{project.pk}/transitions/send_back/",
        {"transition-send_back-rationale": "Pas prêt."},
        follow=True,
    )
    assert "ne peut pas revenir en arrière" in response.content.decode()


def test_comment_thread(browse, project, stranger, owner):
    client = browse(stranger)
    response = client.post(
        f"/projects/{project.pk}/comments/", {"comment-body": "Bonjour **équipe**"}
    )
    comment = Comment.objects.get()
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    client_owner = browse(owner)
    client_owner.post(f"/comments/{comment.pk}/reply/", {f"reply-{comment.pk}-body": "Merci !"})
    reply = Comment.objects.get(parent=comment)
    html = client.get(f"/projects/{project.pk}/").content.decode()
    assert "<strong>équipe</strong>" in html
    assert f'id="replies-{comment.pk}"' in html
    client.post(f"/comments/{comment.pk}/edit/", {f"edit-{comment.pk}-body": "Bonjour à tous"})
    comment.refresh_from_db()
    assert comment.body == "Bonjour à tous"
    assert (
        client.post(f"/comments/{reply.pk}/edit/", {f"edit-{reply.pk}-body": "x"}).status_code
        == 403
    )
    client.post(f"/comments/{comment.pk}/delete/")
    comment.refresh_from_db()
    assert comment.is_deleted
    assert "supprimé par son auteur" in client.get(f"/projects/{project.pk}/").content.decode()


def test_comment_bad_input_and_refusals(browse, project, restricted_project, stranger):
    response = browse(stranger).post(f"/projects/{project.pk}/comments/", {"comment-body": "  "})
    assert response.status_code == 400
    assert 'id="id_comment-body_error"' in response.content.decode()
    response = browse().post(f"/projects/{project.pk}/comments/", {"comment-body": "Hé"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert (
        browse(stranger)
        .post(f"/projects/{restricted_project.pk}/comments/", {"comment-body": "Je regarde"})
        .status_code
        == 404
    )
    assert browse(stranger).post("/comments/999999/reply/", {}).status_code == 404
    assert not Comment.objects.exists()


def test_comment_rate_limit_is_shown_at_the_field(browse, project, stranger, settings):
    settings.COMMENT_RATE = (1, 60)
    client = browse(stranger)
    client.post(f"/projects/{project.pk}/comments/", {"comment-body": "Un"})
    response = client.post(f"/projects/{project.pk}/comments/", {"comment-body": "Deux"})
    assert response.status_code == 400
    assert "Trop de messages" in response.content.decode()
    assert "Deux</textarea>" in response.content.decode()
    assert Comment.objects.count() == 1


def test_live_fragments(browse, project, restricted_project, owner, stranger):
    comment, _created = comment_services.post_comment(by=owner, project=project, body="Salut")
    item = required_items(project)[0]
    client = browse(stranger)
    base = f"/projects/{project.pk}/live"
    assert (
        f'id="comment-{comment.pk}"'
        in client.get(f"{base}/comments/{comment.pk}/").content.decode()
    )
    assert f'id="item-{item.pk}"' in client.get(f"{base}/items/{item.pk}/").content.decode()
    assert client.get(f"{base}/review/").status_code == 200
    assert 'id="stage"' in client.get(f"{base}/workflow/").content.decode()
    assert client.get(f"{base}/items/999999/").status_code == 404
    assert client.get(f"{base}/comments/999999/").status_code == 404
    assert client.get(f"/projects/{restricted_project.pk}/live/workflow/").status_code == 404
    assert browse().get(f"/projects/{restricted_project.pk}/live/review/").status_code == 404


@pytest.mark.parametrize("who", ["stranger", "member", "reviewer"])
def test_live_parts_in_one_answer(
    browse, project, restricted_project, who, request, django_assert_num_queries
):
    first, second = required_items(project)[:2]
    client = browse(request.getfixturevalue(who))
    url = f"/projects/{project.pk}/live/parts/"
    client.get(f"{url}?item={first.pk}")  # the session and the person, read once
    # Fixed, whatever the number of items asked for. Within one answer the person's object
    # permissions and team (one Abilities), the next gate, the open review, the checklist
    # and the live hold are each read once (``projects.reading``), however many parts ask;
    # a reviewer, who may hold the project, also reads the hold's gate and its reviewers.
    with django_assert_num_queries(QUERIES_PER_PARTS[who]):
        html = client.get(f"{url}?item={first.pk}&item={second.pk}").content.decode()
    for part in (f'id="item-{first.pk}"', f'id="item-{second.pk}"', 'id="stage"', 'id="review"'):
        assert part in html
    assert 'id="workflow"' in client.get(f"{url}?workflow=1").content.decode()
    assert 'id="item-' not in client.get(f"{url}?item=999999").content.decode()
    assert client.get(f"{url}?item=x").status_code == 404
    assert client.get(f"{url}?" + "&".join(f"item={n}" for n in range(60))).status_code == 404
    if who != "stranger":  # the team member and the reviewer may read the restricted project
        return
    assert client.get(f"/projects/{restricted_project.pk}/live/parts/").status_code == 404
    assert (
        browse().get(f"/projects/{restricted_project.pk}/live/parts/?workflow=1").status_code == 404
    )


QUERIES_PER_PARTS = {"stranger": 14, "member": 14, "reviewer": 17}


@pytest.mark.parametrize("who", ["stranger", "member", "reviewer"])
def test_live_parts_read_the_votes_of_an_open_review_once(
    browse, project, owner, reviewer, who, request, django_assert_num_queries
):
    """The review panel, the stage's blockers and the transitions offered all ask for the
    open review's votes: they are read once."""
    attest_all(project, owner)
    review = workflow_services.open_review(by=owner, project=project)
    workflow_services.decide(by=reviewer, review=review, verdict="approve", rationale="Oui.")
    first = required_items(project)[0]
    client = browse(request.getfixturevalue(who))
    url = f"/projects/{project.pk}/live/parts/?item={first.pk}"
    client.get(url)  # the session and the person, read once
    with django_assert_num_queries(QUERIES_WITH_VOTES[who]):
        html = client.get(url).content.decode()
    assert "1 approbation sur" in html


QUERIES_WITH_VOTES = {"stranger": 14, "member": 14, "reviewer": 18}


def test_item_fragment_offers_forms_by_person(browse, project, member, reviewer):
    item = required_items(project)[0]
    url = f"/projects/{project.pk}/live/items/{item.pk}/"
    assert "attest" in browse(member).get(url).context["item_forms"]
    assert browse(reviewer).get(url).context["item_forms"] == {}
    workflow_services.attest_item(by=member, item=item, evidence_text="Preuve.")
    assert set(browse(reviewer).get(url).context["item_forms"]) == {"verify", "reject"}


def test_inbox_refusals(browse, stranger, funder):
    assert browse().get("/inbox/").status_code == 302
    assert browse(stranger).get("/inbox/").status_code == 403
    assert browse(funder).get("/inbox/").status_code == 403


def test_inbox_leaves_out_own_projects(browse, project, owner, make_user):
    reviewing_owner = make_user("revowner", "reviewers")
    from projects import services as project_services

    project_services.add_member(by=owner, project=project, user_id=reviewing_owner.pk)
    attest_all(project, owner)
    workflow_services.open_review(by=owner, project=project)
    inbox = browse(reviewing_owner).get("/inbox/")
    assert inbox.context["reviews"] == []
    assert inbox.context["items"] == []


def test_curator_moderates_a_comment(browse, project, stranger, curator, owner):
    comment, _created = comment_services.post_comment(by=stranger, project=project, body="Pub !")
    assert browse(owner).post(f"/comments/{comment.pk}/delete/").status_code == 403
    browse(curator).post(f"/comments/{comment.pk}/delete/")
    html = browse().get(f"/projects/{project.pk}/").content.decode()
    assert "retiré par la modération" in html
    assert "Pub !" not in html


def test_the_inbox_costs_the_same_for_any_number_of_reviews(browse, make_project, owner, reviewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = browse(reviewer)

    def cost():
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/inbox/")
        assert page.status_code == 200
        return len(queries), len(page.context["reviews"])

    for n in range(3):
        project = make_project(owner, title=f"Projet {n}")
        attest_all(project, owner)
        workflow_services.open_review(by=owner, project=project)
        if n == 0:
            first = cost()
    assert first == (INBOX_QUERIES, 1)
    assert cost() == (INBOX_QUERIES, 3)


# Session and user (2), global permissions (2), gates and their pools (2), reviews (1),
# items (1), the progress of the projects under review (3), the open conditions (1), the
# header's unread count (1), the commons gate and its pool (2), renewals to decide (1),
# reuses to verify (1).
INBOX_QUERIES = 17
