"""What the stage machine itself says about a project: who may fire each transition (its
``permission``) and what stops it now (its ``conditions`` and its ``source`` states), read
from the transition methods of ``Project``, in the order the model declares them.

A condition is a ``Condition``: django-fsm calls it with the project and reads a truth, the
API and the pages ask it for its blockers (``{"code", "detail", ...}``) to say why not. A
transition's ``custom`` holds ``unavailable``, the blocker shown from a stage it does not
leave, and ``rationale_required``. Conditions that read the layers above (the gate's quorum
and checklist, in ``workflows``) are added to a transition by that layer when it loads
(``add_condition``), so every arrow still points down.
"""

import inspect

from django.utils.translation import gettext as _


def blocker(code: str, detail, **extra) -> dict:
    return {"code": code, "detail": str(detail), **extra}


class Condition:
    """A transition condition that can say why not: ``blockers(project)`` lists what stops
    the transition, and the condition holds when the list is empty."""

    def __init__(self, blockers):
        self.blockers = blockers
        self.__name__ = getattr(blockers, "__name__", "condition")

    def __call__(self, project) -> bool:
        return not self.blockers(project)


def permission(*actions: str):
    """A transition's permission: any of ``access.RULES[action]`` for the person."""

    def allowed(project, user) -> bool:
        from . import access  # access reads the models that declare the transitions

        return any(access.can(user, action, project) for action in actions)

    allowed.actions = actions
    return allowed


def add_condition(method, condition: Condition) -> None:
    """Add ``condition`` to every edge of the transition ``method`` (``Project.advance``)."""
    for edge in method._django_fsm.transitions.values():
        if condition not in edge.conditions:
            edge.conditions.append(condition)


def declared(model) -> list:
    """The transition methods of ``model``'s stage, in the order the class declares them."""
    methods = model._meta.get_field("stage").transitions[model].values()
    return sorted(methods, key=lambda method: inspect.unwrap(method).__code__.co_firstlineno)


def find(model, name: str):
    """The transition method ``name`` of ``model``, or None when it is no transition."""
    return next((method for method in declared(model) if method.__name__ == name), None)


def edges(method) -> list:
    return list(method._django_fsm.transitions.values())


def may_fire(project, user, method) -> bool:
    """Whether ``user`` holds the transition's permission on ``project`` (blockers aside)."""
    return edges(method)[0].has_perm(project, user)


def blockers(project, method) -> list[dict]:
    """What stops ``method`` now: the stage it does not leave, or its unmet conditions."""
    edge = method._django_fsm.get_transition(project.stage)
    if edge is None:
        code, detail = edges(method)[0].custom["unavailable"]
        return [blocker(code, detail)]
    found = []
    for condition in edge.conditions:
        if isinstance(condition, Condition):
            found.extend(condition.blockers(project))
        elif not condition(project):
            found.append(blocker("condition_unmet", condition.__name__))
    return found


def option_entry(name: str, permitted: bool, found, *, rationale_required=False) -> dict:
    """An action as the API and the pages show it: allowed now, or why not."""
    if not permitted:
        found = [blocker("permission_denied", _("Vous n'avez pas le droit de faire cela.")), *found]
    return {
        "name": name,
        "allowed": not found,
        "rationale_required": rationale_required,
        "blockers": found,
    }


def rationale_required(method) -> bool:
    return bool(edges(method)[0].custom.get("rationale_required"))


def option(project, user, method) -> dict:
    """One transition, allowed now or with its blockers."""
    return option_entry(
        method.__name__,
        may_fire(project, user, method),
        blockers(project, method),
        rationale_required=rationale_required(method),
    )


def options(project, user) -> list[dict]:
    """Every transition of the project's stage machine, each allowed or with its blockers."""
    return [option(project, user, method) for method in declared(type(project))]
