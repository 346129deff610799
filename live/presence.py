"""Who is viewing a project now: one row per open project socket, written only here.

Best-effort, without ``seq``: a socket records itself when it joins, refreshes ``seen_at``
while it lives and forgets itself when it closes; rows of a process that died age out
after ``TTL`` (readers ignore them, the next departure deletes them).
"""

from datetime import timedelta

from django.utils import timezone

from incubator.sockets import RECHECK_SECONDS

from .models import Presence

# Three missed refreshes of a socket that rechecks every 30 seconds.
REFRESH_SECONDS = RECHECK_SECONDS
TTL = timedelta(seconds=3 * REFRESH_SECONDS)


def live(project_id: int):
    """The project's presence rows that are not stale."""
    return Presence.objects.filter(project_id=project_id, seen_at__gte=timezone.now() - TTL)


def join_presence(*, channel_name: str, project_id: int, user) -> bool:
    """Record the socket ``channel_name`` of ``user`` on the project; True if it is this
    person's first live socket there (the others should hear of them)."""
    first = not live(project_id).filter(user=user).exists()
    Presence.objects.update_or_create(
        channel_name=channel_name,
        defaults={"project_id": project_id, "user": user, "seen_at": timezone.now()},
    )
    return first


def leave_presence(*, channel_name: str, project_id: int, user) -> bool:
    """Forget the socket, and the project's stale rows; True if it was this person's last
    live socket there."""
    Presence.objects.filter(channel_name=channel_name).delete()
    Presence.objects.filter(project_id=project_id, seen_at__lt=timezone.now() - TTL).delete()
    return not live(project_id).filter(user=user).exists()


def touch_presence(*, channel_name: str) -> None:
    Presence.objects.filter(channel_name=channel_name).update(seen_at=timezone.now())


def viewers(project_id: int) -> list[dict]:
    """The people with a live socket on the project, once each, by id."""
    seen = {}
    for row in live(project_id).select_related("user").order_by("user_id"):
        user = row.user
        seen[user.pk] = {
            "id": user.pk,
            "username": user.get_username(),
            "name": user.get_full_name() or user.get_username(),
        }
    return [*seen.values()]
