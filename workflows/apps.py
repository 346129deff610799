from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"

    def ready(self):
        from projects import signals as project_signals
        from projects import stages
        from projects.models import Project

        from . import gates

        # The gate's conditions belong to this app: the stage machine learns them here.
        stages.add_condition(Project.advance, gates.GATE_MET)
        # A computed criterion counts what people outside the team did: a team change
        # recomputes it (a declarer who joins the team no longer proves a reuse).
        project_signals.team_changed.connect(_team_changed, dispatch_uid="workflows.team_changed")


def _team_changed(sender, project, by, **kwargs):
    from . import services

    services.refresh_computed(project, by=by)
