"""The licence checks against real repositories: passing, failing and malformed."""

import pytest

from evidence.checks import FAIL, NOT_APPLICABLE, PASS
from evidence.checks.licence import check_licence, check_licence_metadata

from .conftest import JSON_LICENCE, MIT, publish


@pytest.fixture(scope="module")
def mit(new_repo, server, snapshot_of):
    files = {"LICENSE": MIT, "package.json": '{"name": "kit", "license": "MIT"}'}
    return snapshot_of(publish(new_repo, server, "licence-mit", files))


def test_an_mit_licence_is_identified_and_free(mit):
    result = check_licence(mit)
    assert result.outcome == PASS
    assert result.value["spdx"] == "MIT"
    assert result.value["licences"][0]["osi"] is True
    assert result.path == "LICENSE"


def test_metadata_that_agrees_passes(mit):
    result = check_licence_metadata(mit)
    assert result.outcome == PASS
    assert result.path == "package.json"


def test_a_missing_licence_fails(new_repo, server, snapshot_of):
    snapshot = snapshot_of(publish(new_repo, server, "licence-none", {"README.md": "# Kit\n"}))
    result = check_licence(snapshot)
    assert result.outcome == FAIL
    assert result.value == {"error": "missing"}
    assert check_licence_metadata(snapshot).outcome == NOT_APPLICABLE


def test_a_licence_that_is_not_free_fails(new_repo, server, snapshot_of):
    snapshot = snapshot_of(publish(new_repo, server, "licence-json", {"LICENSE": JSON_LICENCE}))
    result = check_licence(snapshot)
    assert result.outcome == FAIL
    assert result.value["error"] == "not_free"
    assert result.value["spdx"] == "JSON"


def test_a_binary_file_named_licence_fails_without_breaking(new_repo, server, snapshot_of):
    blob = bytes(range(256)) * 64
    snapshot = snapshot_of(publish(new_repo, server, "licence-binary", {"LICENSE": blob}))
    result = check_licence(snapshot)
    assert result.outcome == FAIL
    assert result.value["error"] == "binary"
    assert result.path == "LICENSE"


def test_an_unknown_text_is_unidentified(new_repo, server, snapshot_of):
    text = "Tous droits réservés. Ce logiciel ne peut être copié.\n"
    snapshot = snapshot_of(publish(new_repo, server, "licence-unknown", {"LICENCE.txt": text}))
    result = check_licence(snapshot)
    assert result.outcome == FAIL
    assert result.value["error"] == "unidentified"


@pytest.mark.parametrize(
    ("manifest", "content", "error"),
    [
        ("package.json", '{"license": "Apache-2.0"}', "disagrees"),
        ("pyproject.toml", '[project]\nlicense = "MIT AND Nonsense-9"\n', "invalid_expression"),
        ("Cargo.toml", "[package\nlicense = ", "malformed"),
        ("publiccode.yml", "legal:\n  license: EUPL-1.2\n", "disagrees"),
        ("publiccode.yml", "legal:\n  license: MIT AND Nonsense-9\n", "invalid_expression"),
        ("publiccode.yml", "a: &x [1]\nb: *x\n", "malformed"),
    ],
)
def test_metadata_that_disagrees_or_is_malformed_fails(
    new_repo, server, snapshot_of, manifest, content, error
):
    name = f"licence-meta-{manifest.split('.')[0]}-{error}"
    snapshot = snapshot_of(publish(new_repo, server, name, {"LICENSE": MIT, manifest: content}))
    result = check_licence_metadata(snapshot)
    assert result.outcome == FAIL
    assert result.value["error"] == error
    assert result.path == manifest


def test_an_expression_naming_the_found_licence_agrees(new_repo, server, snapshot_of):
    files = {"LICENSE": MIT, "pyproject.toml": '[project]\nlicense = "MIT OR Apache-2.0"\n'}
    snapshot = snapshot_of(publish(new_repo, server, "licence-expression", files))
    assert check_licence_metadata(snapshot).outcome == PASS


def test_publiccode_legal_licence_that_agrees_passes(new_repo, server, snapshot_of):
    files = {
        "LICENSE": MIT,
        "package.json": '{"license": "MIT"}',
        "publiccode.yml": "publiccodeYmlVersion: '0.4'\nlegal:\n  license: MIT\n",
    }
    snapshot = snapshot_of(publish(new_repo, server, "licence-publiccode", files))
    result = check_licence_metadata(snapshot)
    assert result.outcome == PASS
    assert result.value["declared"] == ["MIT", "MIT"]


def test_a_publiccode_yml_without_legal_licence_declares_nothing(new_repo, server, snapshot_of):
    files = {"LICENSE": MIT, "publiccode.yml": "publiccodeYmlVersion: '0.4'\nname: Kit\n"}
    snapshot = snapshot_of(publish(new_repo, server, "licence-publiccode-none", files))
    assert check_licence_metadata(snapshot).outcome == NOT_APPLICABLE
