from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Preuves du dépôt"

    def ready(self):
        from commons import signals

        from . import read

        # A commons' renewal review shows the latest scan; a failing required check or no
        # commit for six months opens one early.
        signals.register("scan", read.renewal_signal)
