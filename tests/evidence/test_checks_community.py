"""Community files: each check passing, failing, and on malformed content."""

import pytest

from evidence.checks import FAIL, PASS
from evidence.checks import community as c

from .conftest import README, publish

ELF = b"\x7fELF\x02\x01\x01" + bytes(200)


@pytest.fixture(scope="module")
def complete(new_repo, server, snapshot_of):
    files = {
        "README.md": README,
        "CONTRIBUTING.md": "Ouvrez une demande de fusion.\n",
        ".github/CODE_OF_CONDUCT.md": "Soyez bienveillants.\n",
        "docs/GOVERNANCE.md": "Le comité décide.\n",
        "SECURITY.md": "# Sécurité\n\nÉcrivez à securite@kit.example.org\n",
        "CHANGELOG.md": "## 1.0\n- first\n",
        ".gitlab-ci.yml": "test:\n  script: make test\n",
        "tests/test_kit.py": "def test(): pass\n",
        "kit.py": "print('kit')\n",
    }
    return snapshot_of(publish(new_repo, server, "community-complete", files))


@pytest.fixture(scope="module")
def bare(new_repo, server, snapshot_of):
    files = {
        "README": "Kit\n===\n\nQuelques mots.\n",
        "SECURITY.md": "Signalez les failles.\n",
        "CONTRIBUTING.md": "\n  \n",
        "CODE_OF_CONDUCT.md": b"\x00\x01binary",
        "tool.exe": b"MZ\x90\x00" + bytes(100),
        "lib/helper": ELF,
        "src/kit.py": "print('kit')\n",
    }
    return snapshot_of(publish(new_repo, server, "community-bare", files))


CHECKS = [
    c.check_readme,
    c.check_contributing,
    c.check_code_of_conduct,
    c.check_governance,
    c.check_security,
    c.check_changelog,
    c.check_ci,
    c.check_tests,
    c.check_binaries,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda f: f.__name__)
def test_a_complete_repository_passes(complete, check):
    assert check(complete).outcome == PASS


@pytest.mark.parametrize("check", CHECKS, ids=lambda f: f.__name__)
def test_a_bare_repository_fails(bare, check):
    assert check(bare).outcome == FAIL


def test_results_point_at_their_file_and_line(complete):
    readme = c.check_readme(complete)
    assert (readme.path, readme.line) == ("README.md", 5)
    security = c.check_security(complete)
    assert security.value["contact"] == "securite@kit.example.org"
    assert (security.path, security.line) == ("SECURITY.md", 3)
    assert c.check_code_of_conduct(complete).path == ".github/CODE_OF_CONDUCT.md"
    assert c.check_governance(complete).path == "docs/GOVERNANCE.md"
    assert c.check_tests(complete).path == "tests/"


def test_bare_failures_say_why(bare):
    assert c.check_readme(bare).value["error"] == "sections"
    assert c.check_security(bare).value["error"] == "no_contact"
    assert c.check_contributing(bare).value["error"] == "empty"
    assert c.check_code_of_conduct(bare).value["error"] == "binary"
    assert c.check_governance(bare).value["error"] == "missing"
    assert sorted(c.check_binaries(bare).value["files"]) == ["lib/helper", "tool.exe"]


def test_a_setext_readme_with_both_sections_passes(new_repo, server, snapshot_of):
    text = "Kit\n===\n\nInstallation\n------------\n\nmake\n\nUsage\n-----\n\nkit\n"
    snapshot = snapshot_of(publish(new_repo, server, "community-rst", {"README.rst": text}))
    assert c.check_readme(snapshot).outcome == PASS
