from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .tokens import authenticate_token


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>`` with the named, revocable tokens of ``tokens``.
    ``request.auth`` is the ApiToken, so ``DELETE /api/auth/token/`` can end it."""

    keyword = "Token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("En-tête Authorization invalide."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Jeton invalide.")) from None
        found = authenticate_token(key)
        if found is None:
            raise exceptions.AuthenticationFailed(_("Jeton invalide ou révoqué."))
        return found

    def authenticate_header(self, request):
        return self.keyword
