"""Presence rows are written by ``live.presence`` only; the socket calls it."""

from datetime import timedelta

from django.utils import timezone

from live import presence
from live.models import Presence


def test_first_and_last_socket_of_a_person(project, member, owner):
    join = presence.join_presence
    assert join(channel_name="a", project_id=project.pk, user=member) is True
    assert join(channel_name="b", project_id=project.pk, user=member) is False
    assert join(channel_name="c", project_id=project.pk, user=owner) is True
    assert [v["username"] for v in presence.viewers(project.pk)] == ["owner", "member"]
    leave = presence.leave_presence
    assert leave(channel_name="a", project_id=project.pk, user=member) is False
    assert leave(channel_name="b", project_id=project.pk, user=member) is True
    assert [v["username"] for v in presence.viewers(project.pk)] == ["owner"]


def test_stale_rows_are_ignored_then_deleted(project, member, owner):
    presence.join_presence(channel_name="dead", project_id=project.pk, user=member)
    Presence.objects.update(seen_at=timezone.now() - presence.TTL - timedelta(seconds=1))
    assert presence.viewers(project.pk) == []
    presence.join_presence(channel_name="live", project_id=project.pk, user=owner)
    presence.touch_presence(channel_name="live")
    presence.leave_presence(channel_name="gone", project_id=project.pk, user=owner)
    assert list(Presence.objects.values_list("channel_name", flat=True)) == ["live"]


def test_the_socket_writes_presence_through_the_service(monkeypatch):
    from live import consumers

    called = []
    for name in ("join_presence", "leave_presence", "touch_presence"):
        monkeypatch.setattr(
            presence, name, lambda name=name, **kw: called.append((name, kw["channel_name"]))
        )
    socket = consumers.ProjectConsumer()
    socket.channel_name, socket.project_id, socket.user = "chan", 1, None
    socket.add_presence()
    socket.touch_presence()
    socket.remove_presence()
    assert called == [
        ("join_presence", "chan"),
        ("touch_presence", "chan"),
        ("leave_presence", "chan"),
    ]
