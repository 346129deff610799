import contextlib
import itertools

import pytest
from django.test import override_settings

from evidence import git, safety
from projects.models import PATH, Project
from workflows.models import StageTransition

from .gitserver import GitServer, Repo

MIT = """MIT License

Copyright (c) 2024 Numérique en Commun

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

# The JSON licence: MIT plus a use restriction, so neither OSI-approved nor FSF-free.
JSON_LICENCE = MIT.replace("MIT License", "JSON License").replace(
    "copies or substantial portions of the Software.\n",
    "copies or substantial portions of the Software.\n\n"
    "The Software shall be used for Good, not Evil.\n",
)

README = """# Kit d'inclusion

Un kit pour accompagner les premiers pas en ligne.

## Installation

    pip install kit

## Utilisation

    kit --help
"""

LOCAL = {
    "EVIDENCE_ALLOW_LOCAL": True,
    "EVIDENCE_TIMEOUT": 30,
    "EVIDENCE_MAX_BYTES": 50_000_000,
    "EVIDENCE_MAX_FILES": 1000,
}


@pytest.fixture(scope="session", autouse=True)
def local_repositories():
    """The test forge on 127.0.0.1 is allowed for the whole session (never in production)."""
    with override_settings(**LOCAL):
        yield


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    forge = GitServer(tmp_path_factory.mktemp("forge"))
    yield forge
    forge.stop()


@pytest.fixture(scope="session")
def new_repo(tmp_path_factory):
    counter = iter(range(10_000))

    def make() -> Repo:
        return Repo(tmp_path_factory.mktemp("src") / f"r{next(counter)}")

    return make


@pytest.fixture(scope="session")
def snapshot_of(server):
    """Clone a published repository the production way and hand its Snapshot; the clones
    are deleted at the end of the session."""
    stack = contextlib.ExitStack()

    def snapshot(url: str):
        return stack.enter_context(git.clone(safety.resolve(url, timeout=10)))

    yield snapshot
    stack.close()


def publish(new_repo, server, name: str, files: dict, **commit) -> str:
    repo = new_repo()
    for path, content in files.items():
        repo.write(path, content)
    repo.commit("initial", **commit)
    return repo.publish(server, name)


def at_stage(project, stage):
    """Move a project along the path with its audit rows (the database asks for them)."""
    for before, after in itertools.pairwise(PATH[: PATH.index(stage) + 1]):
        StageTransition.objects.create(
            project=project, name="advance", from_stage=before, to_stage=after
        )
        # The gate's conditions are not the point here: the audit row, then the stage.
        Project.objects.filter(pk=project.pk).update(stage=after)
    project.refresh_from_db()
    return project
