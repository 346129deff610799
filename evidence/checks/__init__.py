"""The checks: each one a small function from a Snapshot to a Result.

``CHECKS`` is the order a scan runs them and the list curators map to criteria. A check
never raises on bad content: a malformed file is a failing result that says so.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

PASS = "pass"
FAIL = "fail"
NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Result:
    outcome: str
    value: dict = field(default_factory=dict)
    path: str = ""
    line: int | None = None


def passed(value=None, path="", line=None) -> Result:
    return Result(PASS, value or {}, path, line)


def failed(value=None, path="", line=None) -> Result:
    return Result(FAIL, value or {}, path, line)


def not_applicable(value=None) -> Result:
    return Result(NOT_APPLICABLE, value or {})


# code -> label; the functions are registered in ``registry`` (imported lazily: the
# licence detector is heavy and the models only need the codes).
LABELS = {
    "repository": _("Dépôt accessible"),
    "licence": _("Licence"),
    "licence_metadata": _("Licence déclarée dans les métadonnées"),
    "reuse": _("Conformité REUSE"),
    "publiccode": _("publiccode.yml"),
    "readme": _("README avec installation et utilisation"),
    "contributing": _("Guide de contribution"),
    "code_of_conduct": _("Code de conduite"),
    "governance": _("Gouvernance"),
    "security": _("Politique de sécurité avec un contact"),
    "changelog": _("Journal des modifications"),
    "ci": _("Intégration continue"),
    "tests": _("Dossier de tests"),
    "binaries": _("Aucun binaire versionné"),
    "activity": _("Activité sur 90 jours"),
    "releases": _("Versions publiées dans l'année"),
    "absence_factor": _("Facteur d'absence des contributeurs"),
    "organisations": _("Organisations contributrices"),
}
CHOICES = list(LABELS.items())
