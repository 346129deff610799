"""Reading scans: the latest one of a project, and the automatic evidence beside each
mapped checklist criterion (for the page and the API alike)."""

from django.utils.translation import gettext as _

from projects.models import Project

from .checks import LABELS
from .forges import file_url
from .models import CheckMapping, CheckResult, Exemption, Outcome, RepositoryScan


def latest_scan(project: Project, *, finished: bool = False) -> RepositoryScan | None:
    scans = project.scans.all()
    if finished:
        scans = scans.exclude(status__in=RepositoryScan.ACTIVE)
    return scans.order_by("-requested_at", "-id").first()


ERRORS = {
    "missing": lambda v: _("absent"),
    "binary": lambda v: _("le fichier n'est pas un texte"),
    "empty": lambda v: _("le fichier est vide"),
    "unidentified": lambda v: _("licence non identifiée"),
    "not_free": lambda v: (
        _("licence %(spdx)s ni approuvée par l'OSI ni libre selon la FSF") % {"spdx": v.get("spdx")}
    ),
    "sections": lambda v: _("sections installation ou utilisation manquantes"),
    "no_contact": lambda v: _("aucun contact indiqué"),
    "disagrees": lambda v: (
        _("la licence déclarée (%(declared)s) diffère du fichier") % {"declared": v.get("declared")}
    ),
    "invalid_expression": lambda v: (
        _("expression SPDX invalide : %(declared)s") % {"declared": v.get("declared")}
    ),
    "malformed": lambda v: _("fichier de métadonnées illisible"),
}


def describe(result: CheckResult) -> str:
    """One sentence for a result, e.g. "Licence EUPL-1.2 trouvée"."""
    value = result.value or {}
    label = str(LABELS.get(result.check_code, result.check_code))
    if result.check_code == "repository" and result.outcome == Outcome.FAIL:
        return _("Dépôt non lu : %(reason)s") % {"reason": value.get("reason", "")}
    if result.check_code == "licence" and result.outcome == Outcome.PASS:
        return _("Licence %(spdx)s trouvée") % {"spdx": value.get("spdx")}
    if result.check_code == "reuse" and "files_total" in value:
        return _("REUSE : %(missing)s fichier(s) sans licence, %(copyright)s sans copyright") % {
            "missing": value["files_missing_licence"],
            "copyright": value["files_missing_copyright"],
        }
    if result.check_code == "activity":
        return _("%(commits)s commits et %(authors)s auteurs sur 90 jours") % {
            "commits": value.get("commits_90d"),
            "authors": value.get("authors_90d"),
        }
    if result.check_code == "absence_factor" and "absence_factor" in value:
        return _("Facteur d'absence : %(factor)s") % {"factor": value["absence_factor"]}
    if result.check_code == "organisations":
        return _("%(count)s organisation(s) contributrice(s)") % {
            "count": value.get("organisations", 0)
        }
    if result.check_code == "releases":
        return _("%(count)s version(s) publiée(s) dans l'année") % {
            "count": value.get("tags_365d", 0)
        }
    error = value.get("error")
    if result.outcome == Outcome.FAIL and error in ERRORS:
        return f"{label} : {ERRORS[error](value)}"
    return f"{label} : {result.get_outcome_display().lower()}"


def evidence_entry(scan: RepositoryScan, result: CheckResult | None, code: str, exemption=None):
    entry = {
        "scan": scan.pk,
        "check": code,
        "label": str(LABELS.get(code, code)),
        "outcome": result.outcome if result else None,
        "text": describe(result) if result else "",
        "path": result.path if result else "",
        "line": result.line if result else None,
        "commit": result.commit if result else "",
        "url": file_url(scan.url, result.commit, result.path, result.line) if result else "",
        "scanned_at": scan.finished_at,
        "exemption": exemption.reason if exemption else "",
    }
    return entry


def evidence_by_criterion(project: Project, criterion_ids) -> dict[int, list[dict]]:
    """criterion id -> the automatic results mapped to it, from the latest finished scan.
    At most four queries whatever the number of items; nothing before a first scan."""
    mappings = list(CheckMapping.objects.filter(criterion_id__in=list(criterion_ids)))
    if not mappings:
        return {}
    scan = latest_scan(project, finished=True)
    if scan is None:
        return {}
    results = {r.check_code: r for r in scan.results.all()}
    exemptions = {e.check_code: e for e in Exemption.objects.filter(project=project)}
    out: dict[int, list[dict]] = {}
    for mapping in mappings:
        code = mapping.check_code
        out.setdefault(mapping.criterion_id, []).append(
            evidence_entry(scan, results.get(code), code, exemptions.get(code))
        )
    return out


def renewal_signal(project: Project) -> dict | None:
    """What a commons' renewal review shows of the latest finished scan: its commit and
    date, and the required checks that fail (checks mapped to a required criterion), the
    exempted ones aside. None before a first scan."""
    scan = latest_scan(project, finished=True)
    if scan is None or scan.status != RepositoryScan.Status.DONE:
        return None
    required = set(
        CheckMapping.objects.filter(criterion__level="required").values_list(
            "check_code", flat=True
        )
    )
    exempted = set(Exemption.objects.filter(project=project).values_list("check_code", flat=True))
    failing = sorted(
        {
            result.check_code
            for result in scan.results.filter(outcome=Outcome.FAIL)
            if result.check_code in required and result.check_code not in exempted
        }
    )
    return {
        "id": scan.pk,
        "commit": scan.commit,
        "committed_at": scan.committed_at.isoformat() if scan.committed_at else None,
        "finished_at": scan.finished_at.isoformat() if scan.finished_at else None,
        "failing": failing,
    }
