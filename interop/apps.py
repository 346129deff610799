from django.apps import AppConfig


class InteropConfig(AppConfig):
    """Interoperability: publiccode.yml, the open data package, the Atom feeds."""

    name = "interop"
