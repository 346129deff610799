"""Reading pages: who sees what, filters, escaping, query counts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from discussion import services as comment_services
from projects.models import Project, Territory, Theme

pytestmark = pytest.mark.django_db


def test_public_pages_answer_a_visitor(browse, project):
    visitor = browse()
    for url in ["/", "/projects/", "/pipeline/", f"/projects/{project.pk}/", "/accounts/login/"]:
        response = visitor.get(url)
        assert response.status_code == 200, url
        assert b'<main id="main"' in response.content
        assert b'lang="fr"' in response.content


def test_home_counts_only_what_the_person_may_read(
    browse, project, restricted_project, stranger, funder
):
    assert browse(stranger).get("/").context["total"] == 1
    assert browse(funder).get("/").context["total"] == 2


def test_restricted_project_is_hidden_from_outsiders(
    browse, restricted_project, stranger, member, funder
):
    url = f"/projects/{restricted_project.pk}/"
    assert browse().get(url).status_code == 404
    response = browse(stranger).get(url)
    assert response.status_code == 404
    assert "Projet discret" not in response.content.decode()
    assert browse(member).get(url).status_code == 200
    assert browse(funder).get(url).status_code == 200


def test_missing_project_is_a_clear_404(browse, owner):
    response = browse(owner).get("/projects/999999/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_list_hides_restricted_projects(browse, project, restricted_project, stranger, member):
    titles = lambda user: [p.title for p in browse(user).get("/projects/").context["page"]]  # noqa: E731
    assert titles(stranger) == [project.title]
    assert sorted(titles(member)) == sorted([project.title, restricted_project.title])


def test_list_filters(browse, owner, make_project, stranger):
    from workflows import services as workflow_services

    inclusion = Theme.objects.first()
    loire = Territory.objects.get(code="44")
    match = workflow_services.propose_project(
        by=owner,
        title="Atelier numérique",
        summary="Des ateliers en médiathèque.",
        origin="NEC 2018 Nantes",
        themes=[inclusion],
        territories=[loire],
    )
    workflow_services.propose_project(by=stranger, title="Autre chose", summary="Rien à voir.")
    client = browse(owner)

    def found(**query):
        return [p.pk for p in client.get("/projects/", query).context["page"]]

    assert found(q="médiathèque") == [match.pk]
    assert found(theme=inclusion.pk) == [match.pk]
    assert found(territory="44") == [match.pk]
    assert found(origin="nantes") == [match.pk]
    assert found(mine="true") == [match.pk]
    assert found(q="atelier médiathèque") == [match.pk]
    assert found(stage="idea", q="atelier") == [match.pk]
    assert found(stage="commons") == []
    # The form as a browser sends it with every select left on "Tous".
    everything = dict.fromkeys(["q", "stage", "theme", "territory", "origin"], "")
    assert sorted(found(**everything)) == sorted(Project.objects.values_list("pk", flat=True))
    assert found(**(everything | {"q": "MEDIATHEQUE"})) == [match.pk]


def test_list_with_a_bad_filter_shows_the_error(browse, project):
    response = browse().get("/projects/", {"stage": "nowhere"})
    assert response.status_code == 200
    assert response.context["form"].errors["stage"]
    assert response.context["page"].paginator.count == 0


def test_list_query_count_does_not_grow_with_projects(browse, owner, django_assert_max_num_queries):
    from workflows import services as workflow_services

    for number in range(15):
        workflow_services.propose_project(by=owner, title=f"Projet {number}", summary="Résumé.")
    client = browse(owner)
    with django_assert_max_num_queries(14):
        client.get("/projects/")


def test_board_has_one_column_per_stage(browse, project, restricted_project, stranger):
    response = browse(stranger).get("/pipeline/")
    columns = response.context["columns"]
    assert [c["stage"] for c in columns] == ["idea", "prototype", "pilot", "commons", "archived"]
    assert [p.pk for p in columns[0]["projects"]] == [project.pk]


def test_user_text_is_escaped(browse, owner):
    from workflows import services as workflow_services

    project = workflow_services.propose_project(
        by=owner, title="<script>alert(1)</script>", summary="<b>gras</b>", origin="<i>x</i>"
    )
    comment_services.post_comment(
        by=owner, project=project, body="Voir <script>alert(2)</script> et **ceci**"
    )
    for url in ["/", "/projects/", "/pipeline/", f"/projects/{project.pk}/"]:
        html = browse().get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
    page = browse().get(f"/projects/{project.pk}/").content.decode()
    assert "<strong>ceci</strong>" in page
    assert "<b>gras</b>" not in page


def test_project_page_shows_team_checklist_and_history(browse, project, owner):
    page = browse(owner).get(f"/projects/{project.pk}/")
    html = page.content.decode()
    assert "Olga" in html and "Responsable" in html
    assert len(page.context["checklist"]) == 6
    assert "Proposition" in html
    assert page.context["last_seq"] == project.event_seq


def test_project_page_query_count_does_not_grow_with_comments(browse, project, owner):
    client = browse(owner)
    client.get(f"/projects/{project.pk}/")
    with CaptureQueriesContext(connection) as empty:
        client.get(f"/projects/{project.pk}/")
    for number in range(5):
        comment_services.post_comment(by=owner, project=project, body=f"Message {number}")
    with CaptureQueriesContext(connection) as busy:
        client.get(f"/projects/{project.pk}/")
    assert len(busy) <= len(empty) + 2
    assert len(empty) < 60


def test_english_is_switchable(browse, project):
    client = browse()
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert 'lang="en"' in html
    assert "Propose a project" in html
    assert "Proposer un projet" not in html


def test_dates_and_numbers_follow_the_language(browse, project):
    def day(language):
        with translation.override(language):
            return formats.date_format(timezone.localtime(project.created_at), "DATE_FORMAT")

    client = browse()
    french = client.get(f"/projects/{project.pk}/").content.decode()
    assert "Proposé le" in french
    assert day("fr") in french
    client.cookies["django_language"] = "en"
    html = client.get(f"/projects/{project.pk}/").content.decode()
    assert day("en") != day("fr")
    assert day("en") in html
    assert "Proposed on" in html
    assert "Criteria to move to the Prototype stage" in html
    assert "Idea" in html
    assert "Proposé le" not in html


def test_site_templates_for_the_password(browse, owner):
    response = browse(owner).get("/accounts/password_change/")
    assert "frontend/base.html" in [t.name for t in response.templates]
    assert 'id="main"' in response.content.decode()


def test_unknown_address_is_a_calm_404(browse, owner):
    response = browse(owner).get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_footer_pages_answer_in_both_languages(client):
    for name in ("accessibility", "legal_notice", "personal_data", "sitemap"):
        url = reverse(f"frontend:{name}")
        assert client.get(url).status_code == 200
        assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    footer = client.get(reverse("frontend:home")).content.decode()
    for name in ("accessibility", "legal_notice", "personal_data", "sitemap"):
        assert f'href="{reverse(f"frontend:{name}")}"' in footer


def test_the_state_identity_only_when_the_settings_say_so(client, settings):
    page = client.get(reverse("frontend:home")).content.decode()
    assert 'class="fr-logo"' not in page  # the neutral identity: the operator's name
    assert "Numérique en Commun[s]" in page
    # The sign-in page too, whose view puts Django's current Site in its context.
    assert (
        "Service opéré par Numérique en Commun[s]" in client.get(reverse("login")).content.decode()
    )
    settings.SITE_IDENTITY = {
        **settings.SITE_IDENTITY,
        "state": True,
        "marianne": ["Ministère", "de l'exemple"],
    }
    page = client.get(reverse("frontend:home")).content.decode()
    assert '<p class="fr-logo">Ministère<br>de l&#x27;exemple</p>' in page


def test_a_field_of_a_one_of_pair_is_not_labelled_optional(client, project, owner):
    """The attest form needs a link or an explanation: neither is "(facultatif)"."""
    client.force_login(owner)
    html = client.get(reverse("frontend:project_detail", args=[project.pk])).content.decode()
    item = project.checklist.first()
    label = re.search(
        rf'<label class="fr-label" for="id_attest-{item.pk}-evidence_url">(.*?)</label>', html
    )
    assert label and "facultatif" not in label.group(1)
    assert "Un lien, une explication ou les deux." in html
