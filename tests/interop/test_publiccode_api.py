"""GET and POST /api/projects/{id}/publiccode.yml: who may, what comes out, what goes in."""

import pytest
import yaml

from interop import publiccode
from interop.models import PublicCodeProfile
from projects.models import Project

from .conftest import COMPLETE, LONG_FR

pytestmark = pytest.mark.django_db


def url(project):
    return f"/api/projects/{project.pk}/publiccode.yml"


def test_a_generated_publiccode_yml_passes_the_validation(api, complete_project):
    response = api.as_(None).get(url(complete_project))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/yaml")
    document = publiccode.parse(response.content)
    assert publiccode.validate(document) == []
    assert document["publiccodeYmlVersion"] == "0.4"
    assert document["name"] == "Kit d'inclusion numérique"
    assert document["developmentStatus"] == "concept"
    assert document["legal"] == {"license": "EUPL-1.2"}
    assert document["description"]["fr"]["longDescription"] == LONG_FR
    assert document["description"]["en"]["shortDescription"] == "A kit for first steps online."
    # The team's owner maintains it when no contact was given.
    assert document["maintenance"] == {"type": "internal", "contacts": [{"name": "Olga"}]}
    assert "Publiccode-Warnings" not in response


def test_without_english_the_file_says_so(api, complete_project, owner):
    from interop import services

    services.update_publiccode_profile(
        by=owner,
        project=complete_project,
        short_description_en="",
        long_description_en="",
        features_en=[],
    )
    response = api.as_(None).get(url(complete_project))
    assert response.status_code == 200
    assert response["Publiccode-Warnings"] == "description.en"
    assert "# description.en:" in response.content.decode()
    assert list(yaml.safe_load(response.content)["description"]) == ["fr"]


def test_a_project_without_licence_names_what_is_missing(api, propose, owner):
    project = propose(owner)
    response = api.as_(None).get(url(project))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "publiccode_incomplete"
    missing = {blocker["key"] for blocker in body["blockers"]}
    assert {"url", "legal.license", "platforms", "softwareType", "maintenance.type"} <= missing
    assert "legal.license" in body["detail"]
    licence = next(b for b in body["blockers"] if b["key"] == "legal.license")
    assert licence["hint"] == "À renseigner dans la fiche du projet."


def test_an_invalid_licence_is_refused_not_published(api, complete_project, owner):
    Project.objects.filter(pk=complete_project.pk).update(licence="Licence maison")
    response = api.as_(None).get(url(complete_project))
    assert response.status_code == 409
    assert [b["key"] for b in response.json()["blockers"]] == ["legal.license"]


@pytest.mark.parametrize("person", ["owner", "member", "reviewer", "curator"])
def test_readers_of_a_restricted_project_get_it(api, request, propose, owner, member, person):
    project = propose(owner, members=[member], visibility="restricted", licence="MIT")
    response = api.as_(request.getfixturevalue(person)).get(url(project))
    assert response.status_code == 409  # readable; incomplete


@pytest.mark.parametrize("person", [None, "stranger"])
def test_a_restricted_project_does_not_exist_for_others(api, request, propose, owner, person):
    project = propose(owner, visibility="restricted")
    user = request.getfixturevalue(person) if person else None
    assert api.as_(user).get(url(project)).status_code == 404
    assert api.as_(user).post(url(project), {"document": "name: x"}).status_code == 404
    assert api.as_(None).get("/api/projects/999999/publiccode.yml").status_code == 404


IMPORTED = {
    "publiccodeYmlVersion": "0.4",
    "name": "Kit partagé",
    "url": "https://forge.example.org/nec/kit-partage",
    "platforms": ["web", "android"],
    "developmentStatus": "stable",
    "softwareType": "standalone/mobile",
    "usedBy": ["Ville de Nantes", "Département de la Creuse"],
    "description": {
        "fr": {
            "shortDescription": "Le kit, partagé.",
            "longDescription": LONG_FR,
            "features": ["Fiches"],
        },
        "en": {"shortDescription": "The kit.", "longDescription": "y" * 160, "features": ["A"]},
    },
    "legal": {"license": "AGPL-3.0-or-later"},
    "maintenance": {"type": "community", "contacts": [{"name": "Zoé", "email": "zoe@example.org"}]},
    "localisation": {"localisationReady": True, "availableLanguages": ["fr", "en"]},
}


def test_a_preview_lists_the_changes_and_writes_nothing(api, complete_project, owner):
    before = Project.objects.values().get(pk=complete_project.pk)
    response = api.as_(owner).post(url(complete_project), {"document": yaml.safe_dump(IMPORTED)})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["applied"] is False
    changes = {c["field"]: (c["current"], c["proposed"]) for c in body["changes"]}
    assert changes["title"] == ("Kit d'inclusion numérique", "Kit partagé")
    assert changes["licence"] == ("EUPL-1.2", "AGPL-3.0-or-later")
    assert changes["contacts"] == ([], [{"name": "Zoé", "email": "zoe@example.org"}])
    assert "long_description_fr" not in changes  # the same text
    assert body["reuse_candidates"] == ["Ville de Nantes", "Département de la Creuse"]
    assert body["failures"] == []
    assert Project.objects.values().get(pk=complete_project.pk) == before


def test_applying_saves_through_the_services(api, complete_project, owner):
    response = api.as_(owner).post(
        url(complete_project), {"document": yaml.safe_dump(IMPORTED), "apply": True}
    )
    assert response.status_code == 200, response.json()
    complete_project.refresh_from_db()
    assert complete_project.title == "Kit partagé"
    assert complete_project.licence == "AGPL-3.0-or-later"
    assert complete_project.repository_url == "https://forge.example.org/nec/kit-partage"
    profile = PublicCodeProfile.objects.get(project=complete_project)
    assert profile.platforms == ["web", "android"]
    assert profile.used_by == ["Ville de Nantes", "Département de la Creuse"]
    # And the project's own file now says what was imported.
    document = publiccode.parse(api.as_(None).get(url(complete_project)).content)
    assert document["maintenance"]["contacts"] == [{"name": "Zoé", "email": "zoe@example.org"}]
    assert publiccode.validate(document) == []


def test_a_value_that_does_not_fit_refuses_the_whole_import(api, complete_project, owner):
    document = {**IMPORTED, "name": "N" * 201}
    preview = api.as_(owner).post(url(complete_project), {"document": yaml.safe_dump(document)})
    title = next(c for c in preview.json()["changes"] if c["field"] == "title")
    assert "200" in title["error"]
    applied = api.as_(owner).post(
        url(complete_project), {"document": yaml.safe_dump(document), "apply": True}
    )
    assert applied.status_code == 400
    assert "title" in applied.json()["errors"]
    complete_project.refresh_from_db()
    assert complete_project.title == "Kit d'inclusion numérique"
    assert complete_project.licence == "EUPL-1.2"


@pytest.mark.parametrize(
    "document",
    [
        "a: &a [1,1,1]\nb: [*a,*a]\n",
        "name: [oops",
        "- a list",
        "x: " + "y" * (publiccode.MAX_BYTES + 10),
    ],
)
def test_hostile_uploads_answer_400_with_the_reason(api, complete_project, owner, document):
    response = api.as_(owner).post(url(complete_project), {"document": document, "apply": True})
    assert response.status_code == 400
    assert response.json()["errors"]["document"]


@pytest.mark.parametrize("person", ["reviewer", "stranger"])
def test_readers_who_may_not_edit_get_403(api, request, complete_project, person):
    response = api.as_(request.getfixturevalue(person)).post(
        url(complete_project), {"document": yaml.safe_dump(IMPORTED)}
    )
    assert response.status_code == 403


def test_a_visitor_must_sign_in_to_import(api, complete_project):
    response = api.as_(None).post(url(complete_project), {"document": "name: x"})
    assert response.status_code == 401


def test_unknown_profile_fields_are_refused(complete_project, owner):
    from interop import services
    from projects.errors import Invalid

    with pytest.raises(Invalid):
        services.update_publiccode_profile(by=owner, project=complete_project, stage="commons")
    assert COMPLETE["platforms"] == PublicCodeProfile.objects.get().platforms
