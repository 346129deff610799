"""A read-only request reads the next gate, the open review and the checklist once; every
other caller (the services, under their lock) reads them afresh each time."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.reading import one_reading
from workflows import gates
from workflows.models import GateReview


def test_within_one_reading_each_answer_is_read_once(project):
    with one_reading():
        with CaptureQueriesContext(connection) as first:
            gate, review = gates.next_gate(project), gates.open_review(project)
            items = list(gates.checklist_for(project, gate))
        with CaptureQueriesContext(connection) as again:
            assert gates.next_gate(project) == gate
            assert gates.open_review(project) == review
            assert list(gates.checklist_for(project)) == items
    assert len(first.captured_queries) == 3
    assert again.captured_queries == []


def test_outside_a_reading_a_change_shows_at_once(project, owner):
    assert gates.open_review(project) is None
    GateReview.objects.create(project=project, gate=gates.next_gate(project), opened_by=owner)
    assert gates.open_review(project) is not None
