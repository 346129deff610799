"""Criteria whose status is computed from a measure, never attested by hand.

The measure of a kind is a function ``(project) -> int`` that an app above this one (the
reuse registry) registers when it starts: ``workflows`` never imports it. A computed item
is ``verified`` while the measure reaches the gate's threshold and ``todo`` otherwise;
``refresh`` writes that status, with its ChecklistChange and event, under the project's lock.
"""

from collections.abc import Callable

from .models import Computed, Gate

_measures: dict[str, Callable] = {}


def register(kind: str, measure: Callable) -> None:
    """Called from an ``AppConfig.ready``: ``measure(project)`` counts what the kind needs."""
    if kind not in Computed.values:
        raise ValueError(kind)
    _measures[kind] = measure


def threshold(kind: str, gate: Gate) -> int:
    return gate.reuses_required if kind == Computed.REUSES else 1


def measure(kind: str, project) -> int:
    """The project's measure for ``kind``; 0 when no app provides it."""
    fn = _measures.get(kind)
    return fn(project) if fn else 0


def is_met(kind: str, project, gate: Gate) -> bool:
    return measure(kind, project) >= threshold(kind, gate)
