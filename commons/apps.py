from django.apps import AppConfig


class CommonsConfig(AppConfig):
    name = "commons"
    verbose_name = "Communs : réutilisations et renouvellements"

    def ready(self):
        from workflows import computed

        from . import read

        # The commons gate's reuse criterion counts what this registry verified.
        computed.register(computed.Computed.REUSES, read.counted_reuses)
