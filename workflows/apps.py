from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"

    def ready(self):
        from projects import stages
        from projects.models import Project

        from . import gates

        # The gate's conditions belong to this app: the stage machine learns them here.
        stages.add_condition(Project.advance, gates.GATE_MET)
