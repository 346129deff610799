"""REUSE 3.3 compliance through the ``reuse`` command line (the package is GPL: it is run
as a separate program, never imported)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from . import failed, passed


def reuse_command() -> list[str]:
    if settings.EVIDENCE_REUSE_COMMAND:
        return settings.EVIDENCE_REUSE_COMMAND.split()
    beside = Path(sys.executable).parent / "reuse"
    return [str(beside) if beside.exists() else (shutil.which("reuse") or "reuse")]


def check_reuse(snapshot):
    """Pass when ``reuse lint`` finds the repository compliant; the value counts the files
    that lack licence or copyright information."""
    try:
        done = subprocess.run(
            [
                *reuse_command(),
                "--no-multiprocessing",
                "--root",
                str(snapshot.root),
                "lint",
                "--json",
            ],
            capture_output=True,
            timeout=settings.EVIDENCE_REUSE_TIMEOUT,
            stdin=subprocess.DEVNULL,
            env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "HOME": str(snapshot.root)},
        )
    except subprocess.TimeoutExpired:
        return failed({"error": "timeout"})
    except OSError:
        return failed({"error": "unavailable"})
    try:
        report = json.loads(done.stdout)
        summary = report["summary"]
        problems = report["non_compliant"]
        value = {
            "compliant": bool(summary["compliant"]),
            "files_total": int(summary["files_total"]),
            "files_missing_licence": len(problems["missing_licensing_info"]),
            "files_missing_copyright": len(problems["missing_copyright_info"]),
            "missing_licences": list(problems["missing_licenses"])[:20],
            "bad_licences": list(problems["bad_licenses"])[:20],
            "used_licences": list(summary["used_licenses"])[:20],
        }
    except (ValueError, KeyError, TypeError):
        return failed(
            {"error": "unreadable", "stderr": done.stderr.decode("utf-8", "replace")[-300:]}
        )
    return passed(value) if value["compliant"] else failed(value)
