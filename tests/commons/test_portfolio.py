"""Reuses and renewals in the portfolio: the figures by territory and by project, commons
by renewal status, the exports, and the page's map with its table."""

import re

import pytest

from commons import services
from commons.models import Commons
from portfolio import figures as portfolio

pytestmark = pytest.mark.django_db

BODY = {
    "organisation": "Médiathèque de Rezé",
    "siret": "21440143500018",
    "territory": "44",
    "kind": "as_is",
    "use_case": "Prêt de tablettes et ateliers.",
    "contact": "numerique@reze.example.org",
}


def test_reuses_and_commons_in_the_figures(at_commons, stranger, reviewer, funder):
    services.declare_reuse(by=stranger, project=at_commons, **BODY)
    found = portfolio.figures(funder, portfolio.Filters())
    by_code = {row["code"]: row for row in found["reuses"]["territories"]}
    assert by_code["29"]["verified"] == 1  # the gate's reuse
    assert by_code["44"]["declared"] == 1
    assert found["reuses"]["projects"][0]["id"] == at_commons.pk
    assert found["commons"] == {
        "renewed": 1,
        "at_risk": 0,
        "dormant": 0,
        "due_soon": 0,
        "due_soon_days": 60,
    }
    row = services.ensure_commons(at_commons)
    Commons.objects.filter(pk=row.pk).update(
        status="at_risk", renewal_due=row.renewal_due.replace(year=2000)
    )
    found = portfolio.figures(funder, portfolio.Filters())
    assert found["commons"]["at_risk"] == 1
    assert found["commons"]["due_soon"] == 1
    rows = {r["id"]: r for r in portfolio.export_rows(funder, portfolio.Filters())}
    assert rows[at_commons.pk]["reuses_verified"] == 1
    assert rows[at_commons.pk]["renewal_status"] == "at_risk"


def test_a_restricted_projects_reuses_are_not_counted(project, stranger, reviewer):
    services.declare_reuse(by=reviewer, project=project, **BODY)
    type(project).objects.filter(pk=project.pk).update(visibility="restricted")
    found = portfolio.figures(stranger, portfolio.Filters())
    assert found["reuses"]["territories"] == []


def test_the_page_draws_the_map_beside_its_table(client, at_commons):
    html = client.get("/portfolio/").content.decode()
    assert 'id="reuses-by-territory"' in html
    assert '<path d="' in html
    assert re.search(r'class="shade-4" data-code="29"', html)
    assert re.search(r'class="shade-0" data-code="44"', html)
    assert "Finistère (29)" in html
    assert "renouvelés" in html
