from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ProjectsConfig(AppConfig):
    name = "projects"

    def ready(self):
        from .search import add_sqlite_functions

        connection_created.connect(add_sqlite_functions, dispatch_uid="projects.search.sqlite")
