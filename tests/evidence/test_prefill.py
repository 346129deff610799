"""The publiccode.yml page reads the repository's own publiccode.yml through the scanner's
safety, shows what would change and saves nothing until the team confirms."""

import os

import pytest
import yaml

from projects.models import Project
from tests.interop.test_publiccode_api import IMPORTED

from .conftest import MIT, publish


def page(project):
    return f"/projects/{project.pk}/publiccode/"


def fetch(client, project):
    return client.post(page(project), {"action": "fetch"})


@pytest.fixture(scope="module")
def url(new_repo, server):
    files = {"LICENSE": MIT, "publiccode.yml": yaml.safe_dump(IMPORTED, allow_unicode=True)}
    return publish(new_repo, server, "prefill-kit", files)


@pytest.fixture
def kit(make_project, owner, url):
    return make_project(owner, repository_url=url, licence="EUPL-1.2")


def test_the_team_reads_the_repositorys_file_and_sees_what_would_change(client, kit, owner):
    client.force_login(owner)
    before = Project.objects.values().get(pk=kit.pk)
    response = fetch(client, kit)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Lu dans publiccode.yml à la racine de" in text
    assert "Kit partagé" in text and "AGPL-3.0-or-later" in text
    assert text.count("non vérifiée") == 2  # usedBy: two reuse candidates, unverified
    assert "Ville de Nantes" in text
    assert Project.objects.values().get(pk=kit.pk) == before  # nothing saved yet
    preview = response.context["preview"]
    response = client.post(page(kit), {"action": "apply", "document": preview["text"]})
    assert response.status_code == 302
    kit.refresh_from_db()
    assert (kit.title, kit.licence) == ("Kit partagé", "AGPL-3.0-or-later")


def refused(client, project) -> str:
    response = fetch(client, project)
    assert response.status_code == 400
    return response.content.decode()


def test_a_repository_without_the_file_says_so(client, make_project, owner, new_repo, server):
    url = publish(new_repo, server, "prefill-none", {"LICENSE": MIT})
    client.force_login(owner)
    text = refused(client, make_project(owner, repository_url=url))
    assert "Le dépôt n&#x27;a pas ce fichier à sa racine" in text


def test_a_private_address_is_refused_without_a_connection(client, make_project, owner):
    client.force_login(owner)
    text = refused(client, make_project(owner, repository_url="https://10.1.2.3/org/kit.git"))
    assert "adresse privée" in text


def test_a_file_over_the_limit_is_refused(client, make_project, owner, new_repo, server):
    huge = "name: Kit\n" + "# " + "x" * 600_000 + "\n"
    url = publish(new_repo, server, "prefill-huge", {"publiccode.yml": huge})
    client.force_login(owner)
    assert "dépasse la taille permise" in refused(client, make_project(owner, repository_url=url))


def test_a_symlink_named_publiccode_is_not_followed(client, make_project, owner, new_repo, server):
    repo = new_repo()
    os.symlink("/etc/passwd", repo.path / "publiccode.yml")
    url = repo.commit().publish(server, "prefill-symlink")
    client.force_login(owner)
    text = refused(client, make_project(owner, repository_url=url))
    assert "Le dépôt n&#x27;a pas ce fichier" in text and "root:" not in text


def test_an_alias_in_the_repositorys_file_is_refused(client, make_project, owner, new_repo, server):
    url = publish(new_repo, server, "prefill-alias", {"publiccode.yml": "a: &a [1]\nb: *a\n"})
    client.force_login(owner)
    assert "alias" in refused(client, make_project(owner, repository_url=url))


def test_only_the_team_may_read_it(client, kit, reviewer, make_project, owner):
    client.force_login(reviewer)
    assert fetch(client, kit).status_code == 403
    client.force_login(owner)
    response = fetch(client, make_project(owner, title="Sans dépôt"))
    assert response.status_code == 400
    assert "pas d&#x27;adresse de dépôt" in response.content.decode()
