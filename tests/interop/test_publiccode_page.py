"""The publiccode.yml page: the file or what it misses, the details form, the import preview."""

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from interop import publiccode
from projects.models import Project

from .test_publiccode_api import IMPORTED

pytestmark = pytest.mark.django_db


def page(project):
    return f"/projects/{project.pk}/publiccode/"


def test_a_visitor_reads_the_file_of_a_complete_project(client, complete_project):
    response = client.get(page(complete_project))
    assert response.status_code == 200
    text = response.content.decode()
    assert "publiccodeYmlVersion" in text
    assert f"/api/projects/{complete_project.pk}/publiccode.yml" in text
    assert "Voir ce qui changerait" not in text  # no import form for a visitor


def test_the_project_page_links_to_it(client, complete_project):
    text = client.get(f"/projects/{complete_project.pk}/").content.decode()
    assert f'href="/projects/{complete_project.pk}/publiccode/"' in text
    assert f"/projects/{complete_project.pk}/stages.atom" in text


def test_what_is_missing_is_named(client, propose, owner):
    project = propose(owner)
    client.force_login(owner)
    text = client.get(page(project)).content.decode()
    assert "<code>legal.license</code>" in text
    assert "À renseigner dans la fiche du projet." in text


@pytest.mark.parametrize("person", [None, "stranger"])
def test_a_restricted_project_has_no_page_for_others(client, request, propose, owner, person):
    project = propose(owner, visibility="restricted")
    if person:
        client.force_login(request.getfixturevalue(person))
    assert client.get(page(project)).status_code == 404
    assert client.post(page(project), {"action": "profile"}).status_code in (302, 404)


def test_a_reader_who_may_not_edit_cannot_post(client, complete_project, reviewer):
    client.force_login(reviewer)
    response = client.post(page(complete_project), {"action": "apply", "document": "name: X"})
    assert response.status_code == 403
    assert Project.objects.get(pk=complete_project.pk).title == "Kit d'inclusion numérique"


def test_the_team_fills_the_details(client, propose, owner):
    project = propose(owner, repository_url="https://forge.example.org/kit", licence="MIT")
    client.force_login(owner)
    response = client.post(
        page(project),
        {
            "action": "profile",
            "long_description_fr": "Un kit complet. " * 12,
            "features_fr": "Fiches\nAteliers\n",
            "platforms": "web",
            "software_type": "standalone/web",
            "maintenance_type": "internal",
            "localisation_ready": "true",
            "available_languages": "fr",
        },
    )
    assert response.status_code == 302
    response = client.get(f"/api/projects/{project.pk}/publiccode.yml")
    assert response.status_code == 200
    assert publiccode.validate(publiccode.parse(response.content)) == []


def test_an_upload_is_previewed_then_applied(client, complete_project, owner):
    client.force_login(owner)
    upload = SimpleUploadedFile("publiccode.yml", yaml.safe_dump(IMPORTED).encode())
    response = client.post(page(complete_project), {"action": "preview", "upload": upload})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Kit partagé" in text and "Ville de Nantes" in text
    assert Project.objects.get(pk=complete_project.pk).title == "Kit d'inclusion numérique"
    preview = response.context["preview"]
    response = client.post(page(complete_project), {"action": "apply", "document": preview["text"]})
    assert response.status_code == 302
    assert Project.objects.get(pk=complete_project.pk).title == "Kit partagé"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"a: &a [1]\nb: *a\n", "alias"),
        (b"name: [oops", "YAML illisible"),
        (b"x" * (publiccode.MAX_BYTES + 1), "octets"),
    ],
)
def test_a_bad_upload_says_why(client, complete_project, owner, content, reason):
    client.force_login(owner)
    upload = SimpleUploadedFile("publiccode.yml", content)
    response = client.post(page(complete_project), {"action": "preview", "upload": upload})
    assert response.status_code == 400
    assert reason in response.content.decode()
