from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """People's ways in: sign-in with its limits, API tokens, and the end of sessions."""

    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_save

        from . import schema, sessions  # noqa: F401  (schema registers the token scheme)

        # Django's sign-out view offers no other hook: the receiver only announces.
        user_logged_out.connect(sessions.on_signed_out, dispatch_uid="accounts-signed-out")
        # Django has no signal for a new password: the save that follows set_password.
        post_save.connect(
            sessions.password_saved, sender=get_user_model(), dispatch_uid="accounts-password"
        )
