"""REUSE compliance through ``reuse lint --json``, run as a program."""

from evidence.checks import FAIL, PASS
from evidence.checks.reuse import check_reuse

from .conftest import MIT, publish

HEADER = "# SPDX-FileCopyrightText: 2024 Numérique en Commun\n# SPDX-License-Identifier: MIT\n"


def test_a_compliant_repository_passes(new_repo, server, snapshot_of):
    files = {"LICENSES/MIT.txt": MIT, "kit.py": HEADER + "print('kit')\n"}
    result = check_reuse(snapshot_of(publish(new_repo, server, "reuse-ok", files)))
    assert result.outcome == PASS
    assert result.value["compliant"] is True
    assert result.value["files_missing_licence"] == 0
    assert result.value["used_licences"] == ["MIT"]


def test_files_without_headers_are_counted(new_repo, server, snapshot_of):
    files = {
        "LICENSES/MIT.txt": MIT,
        "kit.py": HEADER + "print('kit')\n",
        "other.py": "print('no header')\n",
        "notes.txt": "# SPDX-License-Identifier: MIT\nno copyright\n",
    }
    result = check_reuse(snapshot_of(publish(new_repo, server, "reuse-missing", files)))
    assert result.outcome == FAIL
    assert result.value["files_missing_licence"] == 1
    assert result.value["files_missing_copyright"] == 2


def test_a_licence_used_but_not_shipped_fails(new_repo, server, snapshot_of):
    files = {"kit.py": HEADER.replace("MIT", "EUPL-1.2") + "print('kit')\n"}
    result = check_reuse(snapshot_of(publish(new_repo, server, "reuse-malformed", files)))
    assert result.outcome == FAIL
    assert result.value["missing_licences"] == ["EUPL-1.2"]


def test_a_broken_tool_is_a_failing_result(new_repo, server, snapshot_of, settings):
    settings.EVIDENCE_REUSE_COMMAND = "/bin/false"
    result = check_reuse(snapshot_of(publish(new_repo, server, "reuse-broken", {"a.txt": "a"})))
    assert result.outcome == FAIL
    assert result.value["error"] == "unreadable"
