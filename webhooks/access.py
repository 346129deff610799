"""Who may see and change which endpoints, and who may receive which project's events.

An endpoint is seen by its owner and by curators; anyone else gets 404 as for a missing
one. Registering one for a project takes the project's ``manage_team`` right (its owners,
and curators); for the whole portfolio, being a curator. At delivery time the owner must
still be able to read the project (``projects.access``), or nothing is sent.
"""

from projects import access
from projects.access import User
from projects.errors import NotFound
from projects.models import Project

from .models import Endpoint


def endpoints_visible_to(user: User):
    if not access.is_signed_in(user):
        return Endpoint.objects.none()
    endpoints = Endpoint.objects.select_related("owner", "project")
    return endpoints if access.is_curator(user) else endpoints.filter(owner=user)


def access_endpoint(user: User, pk, *, lock: bool = False) -> Endpoint:
    """The endpoint ``pk`` if ``user`` may see it; NotFound alike for hidden and missing.
    With ``lock`` its row is taken with SELECT ... FOR UPDATE."""
    if access.as_pk(pk) is None:
        raise NotFound()
    endpoints = endpoints_visible_to(user)
    if lock:
        endpoints = endpoints.select_for_update(of=("self",))
    endpoint = endpoints.filter(pk=access.as_pk(pk)).first()
    if endpoint is None:
        raise NotFound()
    return endpoint


def may_register(user: User, project: Project | None) -> bool:
    """Whether ``user`` may register an endpoint for ``project`` (None: the portfolio)."""
    if project is None:
        return access.is_curator(user)
    return access.is_curator(user) or access.can_manage_team(user, project)


def may_receive(endpoint: Endpoint, project: Project) -> bool:
    """Whether ``endpoint``'s owner may receive ``project``'s events now: they can read the
    project and, for a portfolio endpoint, are still a curator. ``endpoint.owner`` must be
    freshly loaded (permissions are cached on the user object)."""
    owner = endpoint.owner
    if endpoint.project_id is None and not access.is_curator(owner):
        return False
    return access.can_view(owner, project)
