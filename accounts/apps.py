from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """People's ways in: sign-in with its limits, API tokens, and the end of sessions."""

    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from . import schema, sessions  # noqa: F401  (schema registers the token scheme)

        # Django's sign-out view offers no other hook: the receiver only announces.
        user_logged_out.connect(sessions.on_signed_out, dispatch_uid="accounts-signed-out")
