"""Why an address was refused or an attempt failed, in words (French is the source)."""

from django.utils.translation import gettext_lazy as _

REASONS = {
    "bad_url": _("L'adresse n'est pas une URL valide."),
    "scheme": _("Seules les adresses https:// sont acceptées."),
    "credentials": _("L'adresse ne doit pas contenir d'identifiants."),
    "unresolvable": _("Le nom d'hôte ne se résout pas."),
    "private_address": _(
        "L'hôte pointe vers une adresse privée, locale ou de métadonnées : refusé."
    ),
    "timeout": _("Le destinataire n'a pas répondu dans le temps permis."),
    "unreachable": _("Le destinataire est injoignable."),
    "tls": _("La connexion sécurisée (TLS) a échoué."),
    "bad_response": _("La réponse du destinataire n'est pas du HTTP valide."),
    "too_large": _("La réponse dépasse la taille permise."),
    "redirect": _("Le destinataire redirige : les redirections ne sont pas suivies."),
    "http_status": _("Le destinataire a répondu par une erreur."),
    "access_lost": _(
        "Le propriétaire de ce webhook ne peut plus lire ce projet : rien n'a été envoyé."
    ),
}


def reason(code: str) -> str:
    return str(REASONS.get(code, code))
