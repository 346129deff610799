"""Which function answers which check, and running them all on one snapshot."""

import logging
from datetime import datetime

from . import Result, activity, community, failed, licence, publiccode, reuse

log = logging.getLogger(__name__)

# Checks that read only the tree, then those that read the history at ``now``.
TREE = {
    "licence": licence.check_licence,
    "licence_metadata": licence.check_licence_metadata,
    "reuse": reuse.check_reuse,
    "publiccode": publiccode.check_publiccode,
    "readme": community.check_readme,
    "contributing": community.check_contributing,
    "code_of_conduct": community.check_code_of_conduct,
    "governance": community.check_governance,
    "security": community.check_security,
    "changelog": community.check_changelog,
    "ci": community.check_ci,
    "tests": community.check_tests,
    "binaries": community.check_binaries,
}
HISTORY = {
    "activity": activity.check_activity,
    "releases": activity.check_releases,
    "absence_factor": activity.check_absence_factor,
    "organisations": activity.check_organisations,
}


def run_checks(snapshot, now: datetime) -> dict[str, Result]:
    """Every check's result; a check that breaks on some content fails, alone."""
    results = {}
    calls = [(code, lambda f=f: f(snapshot)) for code, f in TREE.items()]
    calls += [(code, lambda f=f: f(snapshot, now)) for code, f in HISTORY.items()]
    for code, call in calls:
        try:
            results[code] = call()
        except Exception:
            log.exception("check %s failed on %s", code, snapshot.url)
            results[code] = failed({"error": "check_error"})
    return results
