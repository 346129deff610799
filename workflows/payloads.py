"""The ``data`` of the workflow's live events, built by plain functions: the services must
not import the API layer. Each gives what the API's serializer of the same object gives
(``tests/workflows/test_payloads.py`` holds them to it), from objects already in memory, so
building a payload never asks the database."""

from django.utils import timezone


def when(value) -> str | None:
    """A date and time as the API writes it: ISO 8601 in the site's time zone."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def person(user) -> dict | None:
    if user is None:
        return None
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": user.get_full_name() or user.get_username(),
    }


def decision(vote) -> dict:
    return {
        "id": vote.pk,
        "review": vote.review_id,
        "reviewer": person(vote.reviewer),
        "verdict": vote.verdict,
        "rationale": vote.rationale,
        "conditions": list(vote.conditions or []),
        "at": when(vote.at),
    }


def review(row, votes) -> dict:
    """A gate review with ``votes``, its decisions in their order (by time, then id)."""
    return {
        "id": row.pk,
        "project": row.project_id,
        "gate": row.gate.stage,
        "quorum": row.gate.quorum,
        "status": row.status,
        "opened_by": person(row.opened_by),
        "opened_at": when(row.opened_at),
        "closed_at": when(row.closed_at),
        "decisions": [decision(vote) for vote in sorted(votes, key=lambda v: (v.at, v.pk))],
    }


def transition(row) -> dict:
    return {
        "id": row.pk,
        "project": row.project_id,
        "name": row.name,
        "from_stage": row.from_stage,
        "to_stage": row.to_stage,
        "actor": person(row.actor),
        "at": when(row.at),
        "review": row.review_id,
        "rationale": row.rationale_text,
        "said": row.said,
        "checklist": row.checklist,
    }


def checklist_item(item) -> dict:
    criterion = item.criterion
    return {
        "id": item.pk,
        "project": item.project_id,
        "criterion": {
            "code": criterion.code,
            "gate": criterion.gate.stage,
            "principle": criterion.principle,
            "title": criterion.title,
            "guidance": criterion.guidance,
            "level": criterion.level,
            "evidence": criterion.evidence,
            "computed": criterion.computed,
        },
        "required": item.required,
        "status": item.status,
        "evidence_url": item.evidence_url,
        "evidence_text": item.evidence_text,
        "justification": item.justification,
        "na_accepted": item.na_accepted,
        "review_note": item.review_note,
        "updated_by": person(item.updated_by),
        "updated_at": when(item.updated_at),
    }


def day(value) -> str | None:
    return value.isoformat() if value is not None else None


def condition(row) -> dict:
    """A condition of an approval; ``row.review.gate`` and ``row.criterion`` loaded."""
    return {
        "id": row.pk,
        "project": row.project_id,
        "review": row.review_id,
        "gate": row.review.gate.stage,
        "criterion": row.criterion.code if row.criterion else None,
        "text": row.text,
        "owner": person(row.owner),
        "due_on": day(row.due_on),
        "created_at": when(row.created_at),
        "status": row.status,
        "closed_at": when(row.closed_at),
        "closed_by": person(row.closed_by),
        "note": row.note,
    }


def hold(row, backings) -> dict:
    """A hold with ``backings``, the reviewers' support for placing and lifting it."""
    return {
        "id": row.pk,
        "project": row.project_id,
        "stage": row.stage,
        "status": row.status,
        "reason": row.reason,
        "revisit_on": day(row.revisit_on),
        "proposed_by": person(row.proposed_by),
        "proposed_at": when(row.proposed_at),
        "placed_at": when(row.placed_at),
        "backers": [b.reviewer.get_username() for b in backings if b.act == "place"],
        "lifted_at": when(row.lifted_at),
        "lifted_by": person(row.lifted_by),
        "lift_note": row.lift_note,
        "lift_backers": [b.reviewer.get_username() for b in backings if b.act == "lift"],
    }


def lesson(row) -> dict:
    return {
        "id": row.pk,
        "project": row.project_id,
        "project_title": row.project.title,
        "stage": row.transition.from_stage,
        "tried": row.tried,
        "worked": row.worked,
        "failed": row.failed,
        "reusable": row.reusable,
        "links": list(row.links),
        "author": person(row.author),
        "at": when(row.at),
    }
