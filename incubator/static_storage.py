"""The static files' storage: WhiteNoise's hashed and precompressed files, named by their
hash in every profile (Django names the plain file under ``DEBUG``, which `make run` sets:
the pages would then load every file again on each visit)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFiles(CompressedManifestStaticFilesStorage):
    def url(self, name, force=False):
        return super().url(name, force=True)
