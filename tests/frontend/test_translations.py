"""Every string of the project has its English translation."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

PO = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"


@pytest.mark.skipif(shutil.which("msgattrib") is None, reason="needs GNU gettext (msgattrib)")
@pytest.mark.parametrize("selection", ["--untranslated", "--only-fuzzy"])
def test_no_string_is_left_untranslated(selection):
    left = subprocess.run(
        ["msgattrib", selection, "--no-obsolete", str(PO)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # The header (msgid "" directly followed by msgstr) comes along with any entry.
    entries = [
        block
        for block in left.split("\n\n")
        if "msgid" in block and not re.search(r'^msgid ""\nmsgstr', block, re.MULTILINE)
    ]
    assert entries == [], "\n\n".join(entries)
