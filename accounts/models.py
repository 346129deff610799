import hashlib

from django.conf import settings
from django.db import models
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _


def digest(key: str) -> str:
    """What is stored of a token: its SHA-256. The key is 32 random bytes, so a fast hash
    is enough (nothing to brute-force); the key itself is shown once, at creation."""
    return hashlib.sha256(key.encode()).hexdigest()


def password_fingerprint(user) -> str:
    """A fingerprint of the password hash a token is issued under, as Django's sessions
    keep one (``get_session_auth_hash``). Any new password changes the hash, whatever wrote
    it (a page, the admin, ``changepassword``, ``set_password``, an UPDATE by hand), so a
    token whose fingerprint no longer matches is refused. Not keyed on ``SECRET_KEY``:
    rotating the key does not end every token."""
    return hashlib.sha256(f"accounts.ApiToken:{user.password}".encode()).hexdigest()


class ApiToken(models.Model):
    """A named API token of one person: ``Authorization: Token <key>``. Only the key's
    digest is kept; ``prefix`` (its first characters) lets its owner recognise it.
    A revoked token stays listed, with when it was revoked, and never works again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("nom"), max_length=100)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    password_fingerprint = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("revoke_any_token", "Revoke anyone's API token")]
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        """Not revoked, and issued under the person's current password."""
        return self.revoked_at is None and self.issued_under_current_password

    @property
    def issued_under_current_password(self) -> bool:
        return constant_time_compare(self.password_fingerprint, password_fingerprint(self.user))
