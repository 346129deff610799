"""The live events' payloads are built without the API layer, and say what the API says."""

from projects.models import ProjectEvent, Stage
from workflows import payloads, services
from workflows.models import ChecklistItem, Gate, ItemStatus, StageTransition
from workflows.serializers import (
    ChecklistItemSerializer,
    GateReviewSerializer,
    StageTransitionSerializer,
)


def test_each_payload_is_what_the_api_serializer_gives(project, owner, reviewer):
    Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=1)
    item = ChecklistItem.objects.filter(project=project).first()
    item = services.attest_item(by=owner, item=item, evidence_text="Preuve.")
    assert payloads.checklist_item(item) == ChecklistItemSerializer(item).data
    ChecklistItem.objects.filter(project=project).update(status=ItemStatus.VERIFIED)
    review = services.open_review(by=owner, project=project)
    services.decide(by=reviewer, review=review, verdict="approve", rationale="Conforme.")
    review.refresh_from_db()
    votes = list(review.decisions.select_related("reviewer"))
    assert payloads.review(review, votes) == GateReviewSerializer(review).data
    row = StageTransition.objects.get(project=project)
    assert payloads.transition(row) == StageTransitionSerializer(row).data
    stored = ProjectEvent.objects.filter(project=project).order_by("seq")
    assert [e.type for e in stored][-2:] == ["review.decided", "project.stage_changed"]
    assert stored.get(type="review.decided").data == GateReviewSerializer(review).data
    assert stored.last().data["transition"] == StageTransitionSerializer(row).data


def test_the_services_do_not_import_the_api_layer():
    import ast
    from pathlib import Path

    source = Path(services.__file__).read_text()
    imported = {
        node.module
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not any("serializers" in name or name.endswith("api") for name in imported)
