"""The automatic results on the checklist: a reviewer verifies in one click from a passing
result, and a failing check of a required item blocks until a reviewer overrides it with a
note. Evidence, never a verdict: nothing here verifies an item by itself."""

from django.dispatch import receiver
from django.utils.translation import gettext as _

from projects import access
from projects import signals as project_signals
from projects.errors import Conflict, Invalid, NotFound
from workflows import gates
from workflows import services as workflow_services
from workflows import signals as workflow_signals
from workflows.models import ItemStatus

from . import read, services
from .models import Outcome, Override, RepositoryScan


def blocking(item, entries: list[dict]) -> list[str]:
    """The checks that block ``item``: failing, mapped to a required item, not exempted."""
    if not item.required:
        return []
    return [e["check"] for e in entries if e["outcome"] == Outcome.FAIL and not e["exemption"]]


def passing(entries: list[dict]) -> bool:
    """Every mapped check passed or does not apply, and at least one passed."""
    outcomes = {e["outcome"] for e in entries}
    return Outcome.PASS in outcomes and outcomes <= {Outcome.PASS, Outcome.NOT_APPLICABLE}


def _entries(project, item) -> tuple[RepositoryScan | None, list[dict]]:
    scan = read.latest_scan(project, finished=True)
    entries = read.evidence_by_criterion(project, [item.criterion_id]).get(item.criterion_id, [])
    return scan, entries


@receiver(workflow_signals.verifying)
def require_an_override_note(sender, *, project, item, by, note, **kwargs):
    """Verifying an item whose required check fails takes a note, kept as an override."""
    if item.status == ItemStatus.NOT_APPLICABLE:
        return  # accepting the team's claim that the criterion does not apply
    scan, entries = _entries(project, item)
    failing = blocking(item, entries)
    if not failing:
        return
    note = (note or "").strip()
    if not note:
        labels = ", ".join(e["label"] for e in entries if e["check"] in failing)
        raise Invalid(
            {
                "note": [
                    _(
                        "Une vérification automatique requise échoue (%(checks)s) : une note "
                        "est obligatoire pour passer outre."
                    )
                    % {"checks": labels}
                ]
            },
            code="override_note_required",
        )
    Override.objects.create(project=project, item=item, scan=scan, checks=failing, note=note, by=by)


def verify_from_scan(*, by, project_id, item_id, scan_id) -> object:
    """A reviewer verifies an item in one click from the passing results of scan
    ``scan_id`` (the one they saw): the results become the item's evidence. Raises
    NotFound, Forbidden, Conflict (no passing result, a newer scan since)."""
    project = access.access_project(by, project_id)
    gate = gates.next_gate(project)
    item = gates.checklist_for(project, gate).filter(pk=item_id).first()
    if item is None:
        raise NotFound()
    access.require(gates.may_review(by, project, gate), by)
    scan, entries = _entries(project, item)
    if scan is None or scan.pk != scan_id:
        raise Conflict(
            _("Le dépôt a été analysé de nouveau : regardez les nouveaux résultats."),
            code="scan_changed",
        )
    if not passing(entries):
        raise Conflict(
            _("Les vérifications automatiques de ce critère ne sont pas toutes réussies."),
            code="evidence_not_passing",
        )
    sentences = [
        e["text"] + (_(" dans %(path)s") % {"path": e["path"]} if e["path"] else "")
        for e in entries
        if e["outcome"] == Outcome.PASS
    ]
    text = _("Analyse automatique du dépôt au commit %(commit)s : %(results)s.") % {
        "commit": scan.commit[:7],
        "results": " ; ".join(sentences),
    }
    url = next((e["url"] for e in entries if e["url"]), "")
    note = _("Vérifié d'après l'analyse automatique du dépôt (commit %(commit)s).") % {
        "commit": scan.commit[:7]
    }
    return workflow_services.verify_on_evidence(
        by=by, item=item, evidence_url=url, evidence_text=text, note=note
    )


def overrides_by_item(project, item_ids) -> dict[int, Override]:
    """item id -> its latest override (one query)."""
    latest = {}
    for override in Override.objects.filter(
        project=project, item_id__in=list(item_ids)
    ).select_related("by"):
        latest.setdefault(override.item_id, override)
    return latest


@receiver(project_signals.repository_changed)
def scan_the_new_repository(sender, *, project, by, **kwargs):
    """A new repository address: queue a scan of it (the system's, outside the limits)."""
    services.queue_for(project, by=by, trigger=RepositoryScan.Trigger.REPOSITORY_CHANGED)


@receiver(workflow_signals.review_opened)
def scan_for_the_review(sender, *, project, by, **kwargs):
    """A gate review opens: the reviewers get fresh evidence."""
    services.queue_for(project, by=by, trigger=RepositoryScan.Trigger.REVIEW_OPENED)
