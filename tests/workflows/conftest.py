"""Helpers that walk a project through its gates via the services, as people would."""

from django.contrib.auth import get_user_model
from django.utils.text import slugify

from commons import read as commons_read
from commons import services as commons_services
from projects.models import Stage
from workflows import gates, lifecycle, services
from workflows.models import Criterion, Gate, ItemStatus

User = get_user_model()


def evidence_for(item):
    if item.criterion.evidence == Criterion.Evidence.LINK:
        return {"evidence_url": f"https://forge.example.org/{item.criterion.code}"}
    return {"evidence_text": f"Ce que nous avons fait pour {item.criterion.code}."}


def attest_all(project, by):
    for item in gates.checklist_for(project):
        if item.status != ItemStatus.VERIFIED and not item.criterion.computed:
            services.attest_item(by=by, item=item, **evidence_for(item))


def verify_all(project, by):
    for item in gates.checklist_for(project):
        if item.required and item.status == ItemStatus.ATTESTED:
            services.verify_item(by=by, item=item)


def ready_for_decision(project, owner, reviewer):
    """The idea gate with a quorum of one, its criteria attested and verified, its review
    open: the next vote decides."""
    Gate.objects.filter(stage=Stage.PROTOTYPE).update(quorum=1)
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    verify_all(project, reviewer)
    return review


def add_verified_reuse(project, reviewer, *, organisation="Commune de Plouguerneau"):
    """An organisation outside the team declares its reuse and a reviewer verifies it."""
    declarer, _created = User.objects.get_or_create(
        username=f"reuse-{slugify(organisation)}", defaults={"email": "reuse@example.org"}
    )
    reuse = commons_services.declare_reuse(
        by=declarer,
        project=project,
        organisation=organisation,
        organisation_uri=f"https://{slugify(organisation)}.example.org/",
        territory="29",
        kind="as_is",
        use_case="Ateliers numériques à la médiathèque.",
        contact="mediatheque@example.org",
    )
    return commons_services.verify_reuse(by=reviewer, reuse=reuse)


LESSON = {
    "tried": "Un atelier mobile dans trois communes.",
    "worked": "Les permanences en mairie.",
    "failed": "Le camion : trop cher à entretenir.",
    "reusable": "Le guide d'animation et les fiches.",
    "links": ["https://forge.example.org/atelier/guide"],
}


def compost(project, by):
    """Stop ``project`` with the lesson above (``by``: its owner or a curator)."""
    return lifecycle.compost(by=by, project=project, **LESSON)


def pass_gate(project, owner, reviewers):
    """Attest, open, verify, approve with a quorum: the project moves one stage. At the
    commons gate an outside organisation's verified reuse meets the computed criterion."""
    if project.next_stage == Stage.COMMONS and not commons_read.counted_reuses(project):
        add_verified_reuse(project, reviewers[0])
    attest_all(project, owner)
    review = services.open_review(by=owner, project=project)
    verify_all(project, reviewers[0])
    for reviewer in reviewers[: review.gate.quorum]:
        services.decide(by=reviewer, review=review, verdict="approve", rationale="Bien.")
    project.refresh_from_db()
    return review
