"""publiccode.yml read from a real repository: valid, invalid, malformed, hostile, absent.
The rules are interop.publiccode's, the same the generated file passes."""

import pytest
import yaml

from evidence.checks import FAIL, PASS
from evidence.checks.publiccode import check_publiccode
from interop import publiccode

from ..interop.test_publiccode import VALID
from .conftest import publish


@pytest.fixture(scope="module")
def scanned(new_repo, server, snapshot_of):
    def make(name: str, files: dict):
        return check_publiccode(snapshot_of(publish(new_repo, server, name, files)))

    return make


def test_a_valid_file_passes(scanned):
    result = scanned("publiccode-valid", {"publiccode.yml": yaml.safe_dump(VALID)})
    assert (result.outcome, result.path) == (PASS, "publiccode.yml")
    assert result.value == {"version": "0.4", "name": "Kit"}


def test_each_broken_rule_is_named(scanned):
    broken = {**VALID, "platforms": [], "legal": {"license": "Not-A-Licence"}}
    del broken["maintenance"]
    result = scanned("publiccode-invalid", {"publiccode.yaml": yaml.safe_dump(broken)})
    assert (result.outcome, result.path, result.value["error"]) == (
        FAIL,
        "publiccode.yaml",
        "invalid",
    )
    named = {failure["key"] for failure in result.value["failures"]}
    assert {"platforms", "legal.license", "maintenance"} <= named
    assert all(isinstance(failure["detail"], str) for failure in result.value["failures"])


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("publiccode-not-yaml", "name: [unclosed\n"),
        ("publiccode-alias-bomb", "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"),
        ("publiccode-binary", b"\x00\x01\x02 binary"),
        ("publiccode-huge", "name: " + "x" * (publiccode.MAX_BYTES + 10) + "\n"),
        ("publiccode-a-list", "- a\n- b\n"),
    ],
)
def test_a_malformed_or_hostile_file_fails_with_its_reason(scanned, name, content):
    result = scanned(name, {"publiccode.yml": content, "README.md": "Kit\n"})
    assert (result.outcome, result.value["error"]) == (FAIL, "unreadable")
    assert result.value["reason"]


def test_no_file_fails(scanned):
    result = scanned("publiccode-missing", {"README.md": "Kit\n"})
    assert (result.outcome, result.value) == (FAIL, {"error": "missing"})
