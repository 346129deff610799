"""The public shape of a reuse and of a renewal review, for the project's event stream and
the API alike (services never import the API layer). A reuse's contact is personal data:
it is never in these."""

from .models import RenewalReview, Reuse


def reuse_data(reuse: Reuse) -> dict:
    return {
        "id": reuse.pk,
        "project": reuse.project_id,
        "organisation": reuse.organisation,
        "siret": reuse.siret,
        "organisation_uri": reuse.organisation_uri,
        "territory": reuse.territory_id,
        "territory_name": reuse.territory.name,
        "kind": reuse.kind,
        "version": reuse.version,
        "instance_url": reuse.instance_url,
        "use_case": reuse.use_case,
        "status": reuse.status,
        "declared_by": reuse.declared_by.get_username(),
        "declared_at": reuse.declared_at,
        "confirmed_at": reuse.confirmed_at,
        "note": reuse.note,
    }


def renewal_data(review: RenewalReview) -> dict:
    votes = [
        {
            "reviewer": vote.reviewer.get_username(),
            "outcome": vote.outcome,
            "rationale": vote.rationale,
            "recovery_plan": vote.recovery_plan,
            "recovery_due": vote.recovery_due,
            "at": vote.at,
        }
        for vote in review.votes.select_related("reviewer")
    ]
    return {
        "id": review.pk,
        "project": review.project_id,
        "reason": review.reason,
        "status": review.status,
        "outcome": review.outcome,
        "opened_at": review.opened_at,
        "decided_at": review.decided_at,
        "signals": review.signals,
        "votes": votes,
    }
