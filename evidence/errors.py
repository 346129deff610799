"""Why a scan stopped: every refusal carries a stable code and a sentence stored on the scan."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

REASONS = {
    "bad_url": _("L'adresse du dépôt n'est pas une URL valide."),
    "scheme": _("Seules les adresses https:// sont acceptées."),
    "credentials": _("L'adresse du dépôt ne doit pas contenir d'identifiants."),
    "unresolvable": _("Le nom d'hôte du dépôt ne se résout pas."),
    "private_address": _(
        "L'hôte du dépôt pointe vers une adresse privée, locale ou de métadonnées : refusé."
    ),
    "redirect": _("Le dépôt redirige vers une adresse refusée."),
    "too_many_redirects": _("Le dépôt redirige trop de fois."),
    "not_git": _("Cette adresse ne sert pas un dépôt git."),
    "unreachable": _("Le dépôt est injoignable."),
    "timeout": _("La lecture du dépôt a dépassé le temps permis."),
    "too_large": _("Le dépôt dépasse la taille permise."),
    "too_many_files": _("Le dépôt contient plus de fichiers que permis."),
    "clone_failed": _("Le clonage du dépôt a échoué."),
    "empty": _("Le dépôt ne contient aucun commit."),
    "interrupted": _("L'analyse a été interrompue avant la fin."),
    "expired": _("Aucun processus de travail n'a pris l'analyse à temps."),
    "missing_file": _("Le dépôt n'a pas ce fichier à sa racine :"),
}


class Refusal(Exception):
    """The repository was refused or could not be read. ``code`` is one of ``REASONS``;
    ``detail`` adds what was seen (a host, a limit), never a secret."""

    def __init__(self, code: str, detail: str = ""):
        assert code in REASONS, code
        self.code = code
        self.detail = detail
        super().__init__(f"{code}: {detail}")

    @property
    def reason(self) -> str:
        """The sentence stored on the scan, in the product's language."""
        with translation.override("fr"):
            sentence = str(REASONS[self.code])
        return f"{sentence} {self.detail}".strip()
