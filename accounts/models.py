import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def digest(key: str) -> str:
    """What is stored of a token: its SHA-256. The key is 32 random bytes, so a fast hash
    is enough (nothing to brute-force); the key itself is shown once, at creation."""
    return hashlib.sha256(key.encode()).hexdigest()


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
        return self.revoked_at is None
