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
        # The receivers of the signals of projects and workflows (scans queued when the
        # repository address changes or a review opens; the override note on verifying).
        from . import verification  # noqa: F401
