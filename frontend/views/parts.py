"""The pieces of the project page, built once for the first render and for each live
fragment alike (DESIGN.md: one template fragment per live item).

``bound`` carries a form that failed validation, keyed by its prefix, so the page comes
back with the errors next to the fields and what the person typed.
"""

from django.db.models import Prefetch

from discussion import access as discussion_access
from discussion.models import Comment
from evidence import read as evidence_read
from evidence import services as evidence_services
from evidence import verification
from projects import access
from projects.models import Follow
from workflows import gates, progress
from workflows.models import ChecklistItem, Condition, Criterion, ItemStatus, Principle

from ..forms import (
    AttestForm,
    CommentForm,
    CompostForm,
    DecisionForm,
    HoldForm,
    NotApplicableForm,
    NoteForm,
    RationaleForm,
    RejectForm,
    SendBackForm,
    VerifyForm,
)
from .commons import commons_context

TRANSITION_FORMS = {
    "send_back": SendBackForm,
    "hold": HoldForm,
    "lift_hold": NoteForm,
    "compost": CompostForm,
}


def transition_form(project, name: str, bound=None, data=None):
    """The form of a manual transition; ``send_back`` offers the criteria of the gate the
    project passed last, to rework."""
    prefix = f"transition-{name}"
    form_class = TRANSITION_FORMS.get(name, RationaleForm)
    kwargs = {}
    if name == "send_back":
        items = ChecklistItem.objects.filter(
            project=project, criterion__gate__stage=project.stage
        ).select_related("criterion")
        kwargs["criteria"] = [(item.criterion.code, item.criterion.title) for item in items]
    if data is not None:
        return form_class(data, prefix=prefix, **kwargs)
    return _form(form_class, prefix, bound, **kwargs)


def decision_form(project, gate, bound=None, data=None, **kwargs):
    """The vote's form, with the team as owners and the gate's criteria for a condition
    (``kwargs``: ``initial`` and ``rows``, a form brought back with one more condition)."""
    team = [
        (m.user_id, m.user.get_full_name() or m.user.get_username())
        for m in project.memberships.select_related("user")
    ]
    criteria = [(c.code, c.title) for c in Criterion.objects.filter(gate=gate, active=True)]
    if data is not None:
        return DecisionForm(data, prefix="decide", team=team, criteria=criteria)
    return _form(DecisionForm, "decide", bound, team=team, criteria=criteria, **kwargs)


def lifecycle_context(user, project, *, bound=None) -> dict:
    """The hold in force or proposed, and the conditions with the forms this person may use
    on each (met: a reviewer of its gate; waive: a curator)."""
    curator = access.is_curator(user)
    conditions = []
    for condition in project.conditions.select_related(
        "review__gate", "criterion", "owner", "closed_by"
    ):
        forms = {}
        if condition.status == Condition.Status.OPEN:
            if gates.may_review(user, project, condition.review.gate):
                forms["met"] = _form(NoteForm, f"met-{condition.pk}", bound)
            if curator:
                forms["waive"] = _form(NoteForm, f"waive-{condition.pk}", bound)
        conditions.append({"condition": condition, "forms": forms})
    return {"hold": gates.live_hold(project), "conditions": conditions}


def _form(form_class, prefix: str, bound: dict | None, **kwargs):
    if bound and prefix in bound:
        return bound[prefix]
    return form_class(prefix=prefix, **kwargs)


def item_prefixes(item_id: int) -> dict:
    return {
        "attest": f"attest-{item_id}",
        "not_applicable": f"na-{item_id}",
        "verify": f"verify-{item_id}",
        "reject": f"reject-{item_id}",
    }


def item_rights(user, project, gate) -> dict:
    """Asked once per page: may this person answer the checklist, may they verify it."""
    return {
        "can_edit": access.can_edit(user, project),
        "can_verify": gates.may_review(user, project, gate),
    }


def checklist_item_context(
    project, item, *, rights: dict, bound=None, evidence=None, overrides=None
) -> dict:
    """One checklist item with the forms this person may use on it now, the automatic
    results mapped to its criterion, what of them blocks it and the override of a reviewer
    (``evidence`` and ``overrides``: read once for the whole checklist)."""
    if evidence is None:
        evidence = evidence_read.evidence_by_criterion(project, [item.criterion_id])
    if overrides is None:
        overrides = verification.overrides_by_item(project, [item.pk])
    entries = evidence.get(item.criterion_id, [])
    prefixes = item_prefixes(item.pk)
    done = gates.is_done(item)
    forms = {}
    if rights["can_edit"] and not done:
        forms["attest"] = _form(
            AttestForm,
            prefixes["attest"],
            bound,
            initial={"evidence_url": item.evidence_url, "evidence_text": item.evidence_text},
        )
        forms["not_applicable"] = _form(
            NotApplicableForm,
            prefixes["not_applicable"],
            bound,
            initial={"justification": item.justification},
        )
    awaiting = item.status == ItemStatus.ATTESTED or (
        item.status == ItemStatus.NOT_APPLICABLE and not item.na_accepted
    )
    if awaiting and rights["can_verify"]:
        forms["verify"] = _form(VerifyForm, prefixes["verify"], bound)
        forms["reject"] = _form(RejectForm, prefixes["reject"], bound)
    blocking = [] if done else verification.blocking(item, entries)
    quick = (
        rights["can_verify"]
        and not done
        and item.status != ItemStatus.NOT_APPLICABLE
        and verification.passing(entries)
    )
    return {
        "project": project,
        "item": item,
        "item_forms": forms,
        "item_done": done,
        "item_evidence": entries,
        "item_blocking": [e["label"] for e in entries if e["check"] in blocking],
        "item_quick_scan": entries[0]["scan"] if quick else None,
        "item_override": overrides.get(item.pk) if done else None,
    }


def _has_work(entry: dict, rights: dict) -> bool:
    """An item this person should act on now: a required answer missing or refused for the
    team, an answer to verify for a reviewer, or a form that came back with errors."""
    item, forms = entry["item"], entry["item_forms"]
    if any(form.is_bound and form.errors for form in forms.values()):
        return True
    if rights["can_verify"] and ("verify" in forms or entry["item_quick_scan"]):
        return True
    return (
        rights["can_edit"]
        and item.required
        and item.status in (ItemStatus.TODO, ItemStatus.REJECTED)
    )


def _criteria_titles(items) -> dict:
    return {item.criterion.code: item.criterion.title for item in items}


def explain(blockers, titles) -> list[dict]:
    """Blockers in words: each detail with the titles of the criteria it names."""
    return [
        {
            "code": entry["code"],
            "detail": entry["detail"],
            "criteria": [titles.get(code, code) for code in entry.get("criteria", [])],
        }
        for entry in blockers
    ]


def review_context(user, project, *, items=None, options=None, bound=None) -> dict:
    """The open gate review (or the last closed one), its decisions, what blocks the next
    step, and the forms this person may use: open, withdraw, decide."""
    gate = gates.next_gate(project)
    items = list(gates.checklist_for(project, gate)) if items is None else items
    titles = _criteria_titles(items)
    review = gates.open_review(project)
    latest = review or project.reviews.select_related("gate").first()
    decisions = sorted(gates.votes(latest), key=lambda d: (d.at, d.pk)) if latest else []
    options = options or gates.transitions_for(user, project)
    can_open = next(o["allowed"] for o in options if o["name"] == "open_review")
    can_edit = access.can_edit(user, project)
    decide_form = None
    if (
        review is not None
        and gates.may_review(user, project, review.gate)
        and not any(d.reviewer_id == user.pk for d in decisions)
    ):
        decide_form = decision_form(project, review.gate, bound)
    if review is not None:
        blockers = explain(gates.advance_blockers(project, review, items), titles)
    elif gate is None:
        # A commons (or an archived project) has nothing missing: no next gate to ask for.
        blockers = []
    else:
        blockers = explain(gates.opening_blockers(project, items), titles)
    # Votes by people now on the team do not count (conflict of interest holds in time).
    approvals = (
        sum(1 for d in decisions if d.verdict in gates.APPROVALS and not d.by_team) if review else 0
    )
    return {
        "project": project,
        "gate": gate,
        "review": review,
        "latest_review": latest,
        "decisions": decisions,
        "review_blockers": blockers,
        "can_open_review": can_open,
        "can_withdraw": review is not None and can_edit,
        "show_open_button": review is None and can_edit and gate is not None,
        "decide_form": decide_form,
        "approvals": approvals,
        "progress": progress.summarise(project, gate, items, review, approvals),
        "is_team": access.is_team_member(user, project),
    }


def earned_evidence(history) -> list:
    """Each passage of a gate with the evidence that earned it, read from the checklist its
    audit row kept: the criteria verified (or accepted as not applicable) at that moment."""
    codes = {entry["criterion"] for step in history for entry in step.checklist or []}
    criteria = {c.code: c for c in Criterion.objects.filter(code__in=codes)} if codes else {}
    for step in history:
        step.evidence = [
            {**entry, "title": criteria[entry["criterion"]].title}
            for entry in step.checklist or []
            if entry["criterion"] in criteria
            and (
                entry["status"] == ItemStatus.VERIFIED
                or (entry["status"] == ItemStatus.NOT_APPLICABLE and entry["na_accepted"])
            )
        ]
    return history


def answered(item) -> bool:
    return item.required and not item.criterion.computed


def stage_context(project, gate, items) -> dict:
    """The stage and how far the checklist of the next gate is."""
    return {
        "project": project,
        "gate": gate,
        # What the team answers: a computed criterion is measured (``progress.Progress``).
        "required_count": sum(1 for item in items if answered(item)),
        "done_count": sum(1 for item in items if answered(item) and gates.is_done(item)),
        "steps": progress.steps(project),
    }


def workflow_context(user, project, *, bound=None) -> dict:
    """Everything that moves with the stage: checklist, review, history, transitions."""
    gate = gates.next_gate(project)
    items = list(gates.checklist_for(project, gate))
    rights = item_rights(user, project, gate)
    evidence = evidence_read.evidence_by_criterion(project, [item.criterion_id for item in items])
    overrides = verification.overrides_by_item(project, [item.pk for item in items])
    checklist = [
        checklist_item_context(
            project, item, rights=rights, bound=bound, evidence=evidence, overrides=overrides
        )
        for item in items
    ]
    history = earned_evidence(
        list(project.transitions.select_related("actor").order_by("at", "id"))
    )
    # Collapsed by principle; a group opens where this person has something to do.
    groups = []
    for value, label in Principle.choices:
        entries = [entry for entry in checklist if entry["item"].criterion.principle == value]
        if not entries:
            continue
        required = [entry["item"] for entry in entries if entry["item"].required]
        groups.append(
            {
                "principle": value,
                "label": label,
                "entries": entries,
                "required": len(required),
                "done": sum(1 for item in required if gates.is_done(item)),
                "open": any(_has_work(entry, rights) for entry in entries),
            }
        )
    options = gates.transitions_for(user, project)
    # Only what this person may do now: a transition they may not fire is not offered; the
    # ones with a rationale have a form (``advance`` happens with the deciding approval).
    manual = [
        {"name": option["name"], "form": transition_form(project, option["name"], bound)}
        for option in options
        if (option["rationale_required"] or option["name"] in TRANSITION_FORMS)
        and option["allowed"]
    ]
    return {
        "project": project,
        "gate": gate,
        "checklist": checklist,
        **stage_context(project, gate, items),
        "history": history,
        "timeline": progress.timeline(project, history),
        "principles": groups,
        "manual_transitions": manual,
        **lifecycle_context(user, project, bound=bound),
        **review_context(user, project, items=items, options=options, bound=bound),
    }


def comment_queryset(project):
    replies = Comment.objects.select_related("author").order_by("created_at", "id")
    return (
        Comment.objects.filter(project=project)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies))
    )


def comment_context(user, project, comment, *, bound=None) -> dict:
    """One comment (with its replies when it opens a thread) and what this person may do."""
    context = {
        "comment": comment,
        "can_reply": comment.parent_id is None
        and not comment.is_deleted
        and access.can_comment(user, project),
        "can_change": not comment.is_deleted
        and discussion_access.can_change_comment(user, comment),
        "replies": [],
    }
    if context["can_reply"]:
        context["reply_form"] = _form(CommentForm, f"reply-{comment.pk}", bound)
    if context["can_change"]:
        context["edit_form"] = _form(
            CommentForm, f"edit-{comment.pk}", bound, initial={"body": comment.body}
        )
    if comment.parent_id is None:
        context["replies"] = [
            comment_context(user, project, reply, bound=bound) for reply in comment.replies.all()
        ]
    return context


def thread_context(user, project, *, bound=None) -> dict:
    top = comment_queryset(project).filter(parent=None).order_by("created_at", "id")
    return {
        "thread": [comment_context(user, project, comment, bound=bound) for comment in top],
        "can_comment": access.can_comment(user, project),
        "comment_form": _form(CommentForm, "comment", bound),
    }


def page_context(user, project, *, bound=None) -> dict:
    """The whole project page."""
    # Read first: an event committed while the page renders is replayed by the live module
    # (fragments are idempotent), never lost.
    last_seq = project.event_seq
    return {
        "project": project,
        "last_seq": last_seq,
        "memberships": list(project.memberships.select_related("user")),
        "themes": list(project.themes.all()),
        "territories": list(project.territories.all()),
        "can_edit": access.can_edit(user, project),
        "can_manage_team": access.can_manage_team(user, project),
        "can_delete": access.can_delete(user, project) and project.stage == "idea",
        "is_following": user.is_authenticated
        and Follow.objects.filter(project=project, user=user).exists(),
        **workflow_context(user, project, bound=bound),
        **thread_context(user, project, bound=bound),
        **scan_context(user, project),
        **commons_context(user, project, bound=bound),
    }


def scan_context(user, project) -> dict:
    """The latest repository scan and whether this person may ask for one."""
    return {
        "scan": evidence_read.latest_scan(project),
        "can_scan": bool(project.repository_url)
        and evidence_services.can_request_scan(user, project),
        "can_edit_project": access.can_edit(user, project),
    }
