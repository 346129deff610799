"""The project page shows the automatic result beside each mapped checklist item; it
never verifies the item by itself."""

import pytest

from evidence.forges import file_url
from evidence.models import CheckMapping
from evidence.services import scan_repository
from workflows import gates
from workflows.models import Criterion, ItemStatus
from workflows.services import propose_project

from .conftest import MIT, publish


def test_the_default_framework_ships_a_mapping(db):
    mapped = set(
        CheckMapping.objects.filter(criterion__code="pilot-open-licence").values_list(
            "check_code", flat=True
        )
    )
    assert {"licence", "reuse"} <= mapped
    assert CheckMapping.objects.filter(
        criterion__code="commons-governance", check_code="contributing"
    ).exists()


@pytest.fixture(scope="module")
def url(new_repo, server):
    return publish(new_repo, server, "page-kit", {"LICENSE": MIT})


def test_the_result_shows_beside_its_item_and_verifies_nothing(client, owner, url):
    project = propose_project(by=owner, title="Kit", summary="Un kit.", repository_url=url)
    criterion = Criterion.objects.get(code="proto-open-intent")
    CheckMapping.objects.create(criterion=criterion, check_code="licence")
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Vérifications automatiques" not in page  # nothing before a first scan
    scan = scan_repository(project_id=project.pk)
    page = client.get(project.get_absolute_url()).content.decode()
    assert f"Licence MIT trouvée dans LICENSE au commit {scan.commit[:7]}, il y a" in page
    assert "Analyse du dépôt" in page
    item = gates.checklist_for(project).get(criterion=criterion)
    assert item.status == ItemStatus.TODO


def test_the_team_sees_the_scan_button_and_a_stranger_does_not(
    client, owner, stranger, url, run_tasks
):
    project = propose_project(by=owner, title="Kit", summary="Un kit.", repository_url=url)
    client.force_login(owner)
    assert "Analyser le dépôt" in client.get(project.get_absolute_url()).content.decode()
    response = client.post(f"/projects/{project.pk}/scans/")
    assert response.status_code == 302
    assert project.scans.get().status == "queued"
    page = client.get(project.get_absolute_url()).content.decode()
    assert "elle commence dès qu&#x27;un processus de travail est libre" in page
    run_tasks()
    assert project.scans.get().status == "done"
    assert "Dernière analyse au commit" in client.get(project.get_absolute_url()).content.decode()
    client.force_login(stranger)
    assert "Analyser le dépôt" not in client.get(project.get_absolute_url()).content.decode()
    assert client.post(f"/projects/{project.pk}/scans/").status_code == 403
    assert project.scans.count() == 1


@pytest.mark.parametrize(
    ("repository", "expected"),
    [
        ("https://github.com/org/kit", "https://github.com/org/kit/blob/3f2a91c/LICENSE#L1"),
        ("https://gitlab.com/org/kit.git", "https://gitlab.com/org/kit/-/blob/3f2a91c/LICENSE#L1"),
        (
            "https://codeberg.org/org/kit",
            "https://codeberg.org/org/kit/src/commit/3f2a91c/LICENSE#L1",
        ),
        ("https://git.sr.ht/~org/kit", "https://git.sr.ht/~org/kit/tree/3f2a91c/item/LICENSE#L1"),
        (
            "https://gitlab.mim-libre.fr/org/kit",
            "https://gitlab.mim-libre.fr/org/kit/-/blob/3f2a91c/LICENSE#L1",
        ),
        ("https://unknown.example.org/org/kit", ""),
        ("http://github.com/org/kit", ""),
    ],
)
def test_links_to_the_file_at_the_commit_where_the_forge_is_known(repository, expected):
    assert file_url(repository, "3f2a91c", "LICENSE", 1) == expected
