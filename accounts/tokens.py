"""API tokens: issued by name, listed, revoked; only their digest is stored.

A person may hold several tokens (one per script or machine). A new password revokes them
all, as it ends every other session, however it was set: each token keeps a fingerprint of
the password hash it was issued under and is refused once the hash changed (nothing can
skip that check: it runs on every request). The ``revoked_at`` of each is written then too:
at once when the password is saved through the model (``sessions.password_saved``), or at
the token's next use for a hash written by hand. Curators (the global
``accounts.revoke_any_token`` permission) revoke anyone's.
"""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken, digest, password_fingerprint

PREFIX = "nec_"
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length
# last_used_at is written at most this often per token: not one write per request.
USE_RESOLUTION = timedelta(minutes=1)


class TokenError(Exception):
    """A refused token operation; ``field`` names the input at fault, if any."""

    def __init__(self, detail, *, field: str | None = None):
        self.detail, self.field = detail, field
        super().__init__(str(detail))


def issue_token(*, user, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the key, which is never shown again."""
    name = (name or "").strip() or _("Jeton du %(date)s") % {
        "date": timezone.localtime().strftime("%Y-%m-%d %H:%M")
    }
    if len(name) > NAME_MAX_LENGTH:
        raise TokenError(_("%(n)s caractères au plus.") % {"n": NAME_MAX_LENGTH}, field="name")
    key = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:12],
        digest=digest(key),
        password_fingerprint=password_fingerprint(user),
    )
    return token, key


def may_revoke(by, token: ApiToken) -> bool:
    return by.is_authenticated and (
        token.user_id == by.pk or by.has_perm("accounts.revoke_any_token")
    )


def tokens_visible_to(by):
    """The tokens ``by`` may list and revoke: their own, or everyone's for a curator."""
    if by.has_perm("accounts.revoke_any_token"):
        return ApiToken.objects.select_related("user")
    return ApiToken.objects.filter(user_id=by.pk).select_related("user")


@transaction.atomic
def revoke_token(*, by, token: ApiToken) -> ApiToken:
    """End one token now. Revoking a revoked token changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def revoke_all_tokens(user) -> int:
    """End every token of ``user`` (their password changed, or was reset)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def authenticate_token(key: str):
    """The active user of a live token ``key``, with the token; None otherwise."""
    if not key.startswith(PREFIX) or len(key) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if not token.issued_under_current_password:
        # The password changed without passing through the model (an UPDATE by hand).
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user, token
