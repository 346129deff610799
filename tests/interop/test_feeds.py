"""The Atom feeds of stage changes: public projects only, for the portfolio and per project."""

import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from workflows import services

from ..workflows.conftest import pass_gate

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def moves(propose, owner, member, reviewer, reviewer2):
    public = propose(owner, members=[member], title="Kit public")
    pass_gate(public, owner, [reviewer, reviewer2])
    hidden = propose(owner, title="Projet discret", visibility="restricted")
    pass_gate(hidden, owner, [reviewer, reviewer2])
    services.fire(by=owner, project=hidden, name="archive", rationale="Motif secret.")
    return public, hidden


def entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [
        (entry.find(f"{ATOM}title").text, entry.find(f"{ATOM}link").get("href"))
        for entry in feed.findall(f"{ATOM}entry")
    ]


@pytest.mark.parametrize("person", [None, "curator", "member"])
def test_the_portfolio_feed_shows_public_moves_to_everyone(client, request, moves, person):
    if person:
        client.force_login(request.getfixturevalue(person))
    found = entries(client.get("/feeds/stages.atom"))
    public, _hidden = moves
    assert found == [
        (
            "Kit public : Idée → Prototype",
            f"http://testserver/projects/{public.pk}/#transition-"
            + str(public.transitions.get().pk),
        )
    ]
    assert b"Motif secret" not in client.get("/feeds/stages.atom").content


def test_a_project_feed(client, moves):
    public, _hidden = moves
    found = entries(client.get(f"/projects/{public.pk}/stages.atom"))
    assert [title for title, _link in found] == ["Kit public : Idée → Prototype"]


@pytest.mark.parametrize("person", [None, "stranger", "member", "curator"])
def test_a_restricted_project_has_no_feed(request, moves, person):
    client = Client()
    if person:
        client.force_login(request.getfixturevalue(person))
    _public, hidden = moves
    assert client.get(f"/projects/{hidden.pk}/stages.atom").status_code == 404
    assert client.get("/projects/999999/stages.atom").status_code == 404


def test_the_feed_speaks_english_when_asked(client, moves):
    response = client.get("/feeds/stages.atom", HTTP_ACCEPT_LANGUAGE="en")
    feed = ET.fromstring(response.content)
    assert feed.find(f"{ATOM}title").text == "NEC incubator: stage changes"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
