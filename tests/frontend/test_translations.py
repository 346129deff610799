"""Every string of the project has its English translation, and its French one: the
French catalog is the source copied, so that French plural rules apply ("0 projet"); an
entry left fuzzy there would be skipped, and the page would fall back to the source's
English-style plural ("0 notifications")."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.skipif(shutil.which("msgattrib") is None, reason="needs GNU gettext (msgattrib)")
@pytest.mark.parametrize("selection", ["--untranslated", "--only-fuzzy"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_string_is_left_untranslated(language, selection):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    left = subprocess.run(
        ["msgattrib", selection, "--no-obsolete", str(po)],
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
