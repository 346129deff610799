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
