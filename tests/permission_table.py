"""DESIGN.md's permission table as one reusable check, in the NetBox spirit: for a role and
a project's visibility, the status an endpoint must answer, and on refusal, that nothing
changed.

The allowed roles get ``ok``; anyone else who may see the project gets 403 (401 for a
visitor); a visitor or a stranger asking about a restricted project gets 404, as for a
project that does not exist.
"""

ROLES = ["visitor", "stranger", "member", "owner", "reviewer", "funder", "curator"]
TEAM = {"member", "owner"}


def expected(role: str, *, allowed: set[str], ok: int, visibility: str = "public") -> int:
    if visibility == "restricted" and role in ("visitor", "stranger"):
        return 404
    if role in allowed:
        return ok
    return 401 if role == "visitor" else 403


def check(response, role: str, *, allowed, ok: int, visibility="public", before, after):
    """``response`` answered the table's status; a refusal left ``after == before``."""
    status = expected(role, allowed=set(allowed), ok=ok, visibility=visibility)
    assert response.status_code == status, (role, visibility, response.content[:300])
    if status != ok:
        assert after() == before, f"{role} was refused ({status}) but something changed"
