import pytest

from projects.models import Stage
from tests.workflows.conftest import pass_gate


@pytest.fixture
def at_commons(project, owner, reviewer, reviewer2):
    """The shared project walked through its three gates (an outside reuse verified at the
    last one)."""
    for _gate in range(3):
        pass_gate(project, owner, [reviewer, reviewer2])
    project.refresh_from_db()
    assert project.stage == Stage.COMMONS
    return project
