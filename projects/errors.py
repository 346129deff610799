"""Domain errors raised by access functions and services.

Every interface translates them the same way: the API into ``{"detail", "code"}`` JSON with
the HTTP status below, HTML views into a message, websocket consumers into an error frame.
"""

from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    status = 400
    code = "invalid"
    default_detail = _("Requête invalide.")

    def __init__(self, detail=None, *, code: str | None = None, **extra):
        self.detail = detail if detail is not None else self.default_detail
        if code:
            self.code = code
        self.extra = extra
        super().__init__(str(self.detail))


class Invalid(ServiceError):
    """Bad input; ``errors`` maps field names to lists of messages."""

    def __init__(self, errors: dict | None = None, detail=None, **kwargs):
        super().__init__(
            detail or _("Certains champs sont invalides."), errors=errors or {}, **kwargs
        )


class NotFound(ServiceError):
    """Missing, or hidden from this person: both answer alike so nothing leaks."""

    status = 404
    code = "not_found"
    default_detail = _("Introuvable.")


class Forbidden(ServiceError):
    status = 403
    code = "permission_denied"
    default_detail = _("Vous n'avez pas le droit de faire cela.")


class NotAuthenticated(ServiceError):
    status = 401
    code = "not_authenticated"
    default_detail = _("Connectez-vous pour faire cela.")


class Conflict(ServiceError):
    """The action is not possible in the current state; ``blockers`` says why."""

    status = 409
    code = "conflict"
    default_detail = _("Cette action n'est pas possible dans l'état actuel du projet.")


class RateLimited(ServiceError):
    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int):
        super().__init__(
            _("Trop de messages. Réessayez dans %(seconds)s s.") % {"seconds": retry_after},
            retry_after=retry_after,
        )
