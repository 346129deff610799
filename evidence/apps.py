from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Preuves du dépôt"

    def ready(self):
        # The receivers of the signals of projects and workflows (scans queued when the
        # repository address changes or a review opens; the override note on verifying).
        from . import verification  # noqa: F401
