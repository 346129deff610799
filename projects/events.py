"""The project event stream: persisted first, broadcast after commit.

Every service that changes something in a project's stream calls ``record_event`` inside
its transaction, holding the project's row lock. The event gets the next ``seq`` of the
project and is sent to the ``project-<id>`` group only once the transaction commits, so a
client never sees an event the database could still roll back, and commit order is seq order.
"""

import json
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.module_loading import import_string

from incubator import layer

from .models import Project, ProjectEvent

COMMENT_CREATED = "comment.created"
COMMENT_UPDATED = "comment.updated"
COMMENT_DELETED = "comment.deleted"
CHECKLIST_UPDATED = "checklist.updated"
REVIEW_OPENED = "review.opened"
REVIEW_DECIDED = "review.decided"
STAGE_CHANGED = "project.stage_changed"
CONDITION_UPDATED = "condition.updated"
HOLD_UPDATED = "hold.updated"
LESSON_PUBLISHED = "lesson.published"
REUSE_DECLARED = "reuse.declared"
REUSE_CHANGED = "reuse.changed"
RENEWAL_OPENED = "renewal.opened"
RENEWAL_VOTED = "renewal.voted"
RENEWAL_DECIDED = "renewal.decided"
# A repository scan queued, started or finished (the ``evidence`` app records it).
SCAN_UPDATED = "scan.updated"
TYPES = (
    COMMENT_CREATED,
    COMMENT_UPDATED,
    COMMENT_DELETED,
    CHECKLIST_UPDATED,
    REVIEW_OPENED,
    REVIEW_DECIDED,
    STAGE_CHANGED,
    CONDITION_UPDATED,
    HOLD_UPDATED,
    LESSON_PUBLISHED,
    REUSE_DECLARED,
    REUSE_CHANGED,
    RENEWAL_OPENED,
    RENEWAL_VOTED,
    RENEWAL_DECIDED,
    SCAN_UPDATED,
)


def group_name(project_id: int) -> str:
    return f"project-{project_id}"


def payload(event: ProjectEvent) -> dict:
    """The wire format of DESIGN.md: ``{type, seq, id, project, at, data}``."""
    return {
        "type": event.type,
        "seq": event.seq,
        "id": event.object_id,
        "project": event.project_id,
        "at": event.at,
        "data": event.data,
    }


def encode(event: ProjectEvent) -> str:
    return json.dumps(payload(event), cls=DjangoJSONEncoder, ensure_ascii=False)


def record_event(project: Project, type: str, object_id: int | None, data: dict) -> ProjectEvent:
    """Append one event to the project's stream; see ``record_events``."""
    return record_events(project, [(type, object_id, data)])[0]


def record_events(project: Project, entries, *, save_seq: bool = True) -> list[ProjectEvent]:
    """Append events, given as ``(type, object_id, data)`` in order, to the project's stream
    and schedule their broadcast after commit. They take the next seqs with one update;
    with ``save_seq=False`` the caller saves ``project.event_seq`` itself, in the same
    transaction, with its own update of the row (the unique ``(project, seq)`` refuses a
    seq handed out twice).

    The caller holds ``project``'s row lock (``select_for_update``) in the current
    transaction, so ``project.event_seq`` is current and nobody else can take the next one.
    """
    assert all(type in TYPES for type, _object_id, _data in entries), entries
    first = project.event_seq + 1
    project.event_seq += len(entries)
    if save_seq:
        Project.objects.filter(pk=project.pk).update(event_seq=project.event_seq)
    created = ProjectEvent.objects.bulk_create(
        ProjectEvent(
            project=project,
            seq=first + n,
            type=type,
            object_id=object_id,
            data=json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
        )
        for n, (type, object_id, data) in enumerate(entries)
    )
    idle = getattr(project, "_idle_subscribers", ())
    for subscriber in settings.EVENT_SUBSCRIBERS:
        # Apps above this one that keep their own rows per event (webhook deliveries) write
        # them here, in the event's transaction: they exist exactly when the event does.
        if subscriber not in idle:
            import_string(subscriber)(project, created)
    transaction.on_commit(lambda: broadcast(*created))
    return created


def interest(project_ref) -> dict:
    """Annotations, one per event subscriber that can tell without reading its own rows
    whether it may want the events of the project ``project_ref`` (an ``OuterRef``): its
    ``interest(project_ref)``, an ``Exists``. A service folds them into a statement it runs
    anyway under the project's lock and hands the row to ``interest_known``."""
    found = {}
    for n, path in enumerate(settings.EVENT_SUBSCRIBERS):
        ask = getattr(import_string(path), "interest", None)
        if ask is not None:
            found[f"subscriber_{n}_wants"] = ask(project_ref)
    return found


@contextmanager
def interest_known(project: Project, row):
    """Within the block, ``record_events`` does not call the subscribers that the columns of
    ``interest`` read on ``row`` say want nothing: no endpoint, no statement."""
    project._idle_subscribers = {
        path
        for n, path in enumerate(settings.EVENT_SUBSCRIBERS)
        if getattr(row, f"subscriber_{n}_wants", True) is False
    }
    try:
        yield
    finally:
        del project._idle_subscribers


def broadcast(*events: ProjectEvent) -> None:
    """Send already-committed events, in order, to the sockets of their project. Each is
    encoded once here, relayed as is by every consumer; ``sent`` lets a consumer notice it
    fell behind."""
    layer.group_send(
        [
            (
                group_name(event.project_id),
                {
                    "type": "project.event",
                    "seq": event.seq,
                    "text": encode(event),
                    "sent": time.time(),
                },
            )
            for event in events
        ]
    )


def announce_access_change(project_id: int) -> None:
    """After commit, make the project's sockets check again that their person may still
    read it (a member removed, the project made restricted or deleted)."""

    message = (group_name(project_id), {"type": "project.access"})
    transaction.on_commit(lambda: layer.group_send([message]))


def events_after(project_id: int, after: int, limit: int) -> list[ProjectEvent]:
    """The project's events with ``seq > after``, in order, at most ``limit``."""
    return list(
        ProjectEvent.objects.filter(project_id=project_id, seq__gt=after).order_by("seq")[:limit]
    )
