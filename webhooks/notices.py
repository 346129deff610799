"""Telling an endpoint's owner that it was switched off, and why."""

from django.utils.translation import gettext_lazy as _

from notifications.services import message, notify

from .models import Endpoint

KIND = "webhook_disabled"


def tell_owner(endpoint: Endpoint, reason: str) -> None:
    """A notification (and an e-mail, by the owner's choices for this kind) in the caller's
    transaction. It names the address, never the project: the owner may have lost the
    right to read it."""
    if reason == Endpoint.Reason.ACCESS_LOST:
        text = message(
            _(
                "Webhook désactivé : vous ne pouvez plus lire le projet qu'il suit. "
                "Adresse : %(url)s"
            ),
            {"url": endpoint.url},
        )
    else:
        text = message(
            _(
                "Webhook désactivé après des échecs répétés : %(url)s. Réactivez-le "
                "quand le destinataire répond de nouveau, les envois en attente repartiront."
            ),
            {"url": endpoint.url},
        )
    notify(
        kind=KIND,
        recipients=[endpoint.owner],
        project=None,
        actor=None,
        text=text,
        url=endpoint.get_absolute_url(),
    )
