"""The live events' payloads are built without the API layer, and say what the API says."""

from projects.models import ProjectEvent, Stage
from workflows import payloads, services
from workflows.models import ChecklistItem, Gate, ItemStatus, StageTransition
from workflows.serializers import (
    ChecklistItemSerializer,
    GateReviewSerializer,
    StageTransitionSerializer,
)


def test_each_payload_is_what_the_api_serializer_gives(project, owner, reviewer, reviewer2):
    """Quorum 2: the deciding approval's payload lists the earlier vote too, rebuilt from the
    one read of everyone concerned."""
    Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=2)
    item = ChecklistItem.objects.filter(project=project).first()
    item = services.attest_item(by=owner, item=item, evidence_text="Preuve.")
    assert payloads.checklist_item(item) == ChecklistItemSerializer(item).data
    ChecklistItem.objects.filter(project=project).update(status=ItemStatus.VERIFIED)
    review = services.open_review(by=owner, project=project)
    services.decide(by=reviewer, review=review, verdict="approve", rationale="Conforme.")
    services.decide(by=reviewer2, review=review, verdict="approve", rationale="Solide.")
    review.refresh_from_db()
    assert review.status == "approved"
    votes = list(review.decisions.select_related("reviewer"))
    assert len(votes) == 2
    assert payloads.review(review, votes) == GateReviewSerializer(review).data
    row = StageTransition.objects.get(project=project)
    assert payloads.transition(row) == StageTransitionSerializer(row).data
    stored = ProjectEvent.objects.filter(project=project).order_by("seq")
    assert [e.type for e in stored][-2:] == ["review.decided", "project.stage_changed"]
    assert stored.filter(type="review.decided").last().data == GateReviewSerializer(review).data
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
