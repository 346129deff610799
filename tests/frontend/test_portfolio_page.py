"""The dashboard page: visibility, filters, htmx fragments, query counts."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from demo import scale as demo_scale
from projects import services
from projects.models import Project
from tests.workflows.conftest import compost

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    """Test databases reuse ids after a rollback: never serve another test's figures."""
    cache.clear()


User = get_user_model()
URL = "/portfolio/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def old_projects(project, restricted_project):
    # Both have been waiting at "idea" for a year: they are dormant.
    long_ago = timezone.now() - datetime.timedelta(days=365)
    Project.objects.filter(pk__in=[project.pk, restricted_project.pk]).update(
        stage_changed_at=long_ago
    )
    return project, restricted_project


def test_visitors_see_public_figures_only(client, old_projects):
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 projet dans ce portefeuille" in page
    assert escape(old_projects[0].title) in page
    assert "Projet discret" not in page
    assert "Les projets que je suis" not in page


@pytest.mark.parametrize("person", ["member", "funder", "curator"])
def test_readers_of_the_restricted_project_see_it(client, request, old_projects, person):
    client.force_login(request.getfixturevalue(person))
    page = client.get(URL).content.decode()
    assert "2 projets dans ce portefeuille" in page
    assert "Projet discret" in page


def test_strangers_do_not(client, old_projects, stranger):
    client.force_login(stranger)
    page = client.get(URL).content.decode()
    assert "1 projet dans ce portefeuille" in page
    assert "Projet discret" not in page


def test_every_chart_has_its_table_and_data(client, old_projects, funder):
    client.force_login(funder)
    page = client.get(URL).content.decode()
    charts = re.findall(r'<canvas data-chart="(chart-[a-z]+)"', page)
    assert "chart-stages" in charts
    assert "chart-compliance" in charts
    for chart in charts:
        assert f'<script id="{chart}" type="application/json">' in page
    # Every chart's table, and the reuses by territory beside their map (no canvas).
    assert page.count("<table>") == len(charts) + 1
    assert page.count('<th scope="col">') > len(charts)
    assert re.search(r"/static/vendor/chart\.umd\.([0-9a-f]+\.)?js", page)
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', page), "no external host"


def test_filters_apply_and_keep_their_values(client, old_projects, make_project, owner, funder):
    make_project(owner, title="Tiers-lieu de Guéret", themes=["third-places"])
    client.force_login(funder)
    page = client.get(URL + "?theme=third-places").content.decode()
    assert "1 projet dans ce portefeuille" in page
    assert '<option value="third-places" selected>' in page
    assert "/api/portfolio/export.csv?theme=third-places" in page


def test_a_composted_project_and_filters_left_on_all(client, make_project, owner, funder):
    compost(make_project(owner, title="Atelier mobile"), owner)
    client.force_login(funder)
    for query in ("", "?stage=&theme=&territory=", "?period=12"):
        response = client.get(URL + query)
        assert response.status_code == 200, query
        assert "Compostages" in response.content.decode()
    assert client.get("/space/").status_code == 200


def test_bad_filters_are_explained(client, funder):
    client.force_login(funder)
    response = client.get(URL + "?since=2025-05-01&until=2024-01-01&stage=lune")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "La fin de la période précède son début." in page


def test_htmx_gets_the_fragment_and_204_when_nothing_changed(client, old_projects, funder):
    client.force_login(funder)
    fragment = client.get(URL + "?stage=idea", **HTMX)
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert body.startswith('<div id="portfolio-figures"')
    assert "<html" not in body
    version = re.search(r"version=([0-9a-f]+)", body).group(1)
    unchanged = client.get(URL + f"?stage=idea&version={version}", **HTMX)
    assert unchanged.status_code == 204
    services.update_project(
        by=old_projects[0].memberships.first().user, project=old_projects[0], title="Nouveau titre"
    )
    changed = client.get(URL + f"?stage=idea&version={version}", **HTMX)
    assert changed.status_code == 200
    assert "Nouveau titre" in changed.content.decode()


def test_htmx_bad_filters_come_back_as_a_message(client, funder):
    client.force_login(funder)
    response = client.get(URL + "?theme=astrologie", **HTMX)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def page_queries(client, user) -> int:
    if user:
        client.force_login(User.objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL + "?since=2020-01-01")
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("person", ["funder", "stranger", None])
def test_query_count_does_not_grow_with_projects(client, request, reviewer, reviewer2, person):
    user = request.getfixturevalue(person) if person else None
    demo_scale.generate(5, reviewers=[reviewer, reviewer2], seed=3)
    few = page_queries(client, user)
    demo_scale.generate(40, reviewers=[reviewer, reviewer2], seed=4)
    assert page_queries(client, user) == few
