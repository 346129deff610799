"""The project socket: a project's live stream (the unread count's is
``notifications.consumers``; what both share is ``incubator.sockets``).

The contract is DESIGN.md's "Real-time contract". Frames of ``/ws/projects/<id>/``:

- server: ``hello {project, seq, user}`` once accepted (``seq``: the stream's position now);
  events ``{type, seq, id, project, at, data}``; ``resumed {seq}`` after a replay;
  ``presence {project, viewers}``; ``comment.ack {client_id, id, created}``; ``pong {seq}``;
  ``error {code, detail, ...}`` (the socket stays open, except codes ``behind``,
  ``access_lost`` and ``session_ended`` which precede a close).
- client: ``resume {after}`` (or ``?after=`` in the URL), ``comment.create {body, parent,
  checklist_item, review, client_id}``, ``ping``.
- close codes: 4401 the session ended (signed out, password changed, account deactivated)
  or, on notifications, not signed in; 4404 no such project or not readable by this person
  (alike, so a restricted project's existence does not leak); 4408 fell behind (reconnect
  and resume). 4403 is reserved for a person who may read a project but not join its
  stream; no rule does that today.

A client applies an event only when its seq is its last + 1, drops those at or below, and
sends ``resume`` on a gap. Reading goes through ``access``, writing through the services.
"""

import asyncio
import logging
import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from discussion.services import comment_input, post_comment
from incubator.sockets import CLOSE_NOT_AUTHENTICATED, FastEventsMixin, SessionBoundMixin
from incubator.sockets import dumps as _dumps
from projects import access, events, inputs
from projects.errors import Conflict, Invalid, ServiceError
from projects.models import Project

from . import presence

logger = logging.getLogger(__name__)
User = get_user_model()

REPLAY_BATCH = 500
# How often a socket checks that its person may still read the project and refreshes its
# presence row (``presence.TTL`` is three of these).
RECHECK_SECONDS = presence.REFRESH_SECONDS
# A live event that waited longer than this in the socket's queue means the socket fell
# behind: it is closed (4408) and the client resumes from the database.
MAX_LAG_SECONDS = 10.0
CLOSE_NOT_FOUND = 4404
CLOSE_BEHIND = 4408


def max_frame() -> int:
    """The largest frame accepted: a maximal body with room for the other fields."""
    return settings.COMMENT_MAX_LENGTH * 4 + 4096


class ProjectConsumer(SessionBoundMixin, FastEventsMixin, AsyncWebsocketConsumer):
    """``/ws/projects/<id>/``: the project's events after commit, replay on ``resume``,
    comment posting, presence.

    ``last_seq`` is the highest seq sent to this client. Live events are relayed as encoded
    by ``events.broadcast`` while they follow on; a gap (a message the channel layer dropped,
    or one still in flight from another process) is filled from the database.
    """

    orm_free = frozenset({"project.event", "presence.update"})

    project_id: int
    last_seq = 0
    user = None
    recheck_task = None
    present = False

    async def connect(self):
        self.user = self.scope.get("user")
        self.project_id = self.scope["url_route"]["kwargs"]["project_id"]
        await self.accept()
        code = await database_sync_to_async(self.refusal)()
        if code:
            await self.close(code=code)
            return
        await self.join_session_group()
        # Subscribe first, then read where the stream stands: nothing committed after this
        # read can be missed, and anything up to it is available from the database.
        await self.channel_layer.group_add(events.group_name(self.project_id), self.channel_name)
        self.last_seq = await database_sync_to_async(self.current_seq)()
        await self.send(
            text_data=_dumps(
                {
                    "type": "hello",
                    "project": self.project_id,
                    "seq": self.last_seq,
                    "user": self.user.get_username() if self.user.is_authenticated else None,
                }
            )
        )
        await self.join_presence()
        self.recheck_task = asyncio.create_task(self.recheck_loop())
        raw = self.query_after()
        if raw is not None:
            try:
                await self.resume({"after": inputs.parse_seq(raw)})
            except ServiceError as exc:
                await self.error(exc.code, exc.detail, kind="resume", **exc.extra)

    def query_after(self) -> str | None:
        """The ``after`` of the URL's query string as sent, or None without one."""
        after = parse_qs(self.scope.get("query_string", b"").decode("latin1")).get("after")
        return after[-1] if after else None

    def refusal(self) -> int | None:
        """The close code if this person may not read the project now, else None: 4404
        alike for a missing project and a hidden one, as the API's 404 (nothing leaks)."""
        try:
            project = Project.objects.get(pk=self.project_id)
        except Project.DoesNotExist:
            return CLOSE_NOT_FOUND
        user = self.user
        if user is not None and user.is_authenticated:
            # A fresh user: permission caches of a long-lived socket would hide a change.
            user = User.objects.filter(pk=user.pk, is_active=True).first()
            if user is None:
                return CLOSE_NOT_AUTHENTICATED
        return None if access.can_view(user or self.user, project) else CLOSE_NOT_FOUND

    def current_seq(self) -> int:
        return Project.objects.values_list("event_seq", flat=True).get(pk=self.project_id)

    async def disconnect(self, code):
        if self.recheck_task is not None:
            self.recheck_task.cancel()
        await self.leave_session_group()
        await self.channel_layer.group_discard(
            events.group_name(self.project_id), self.channel_name
        )
        if self.present:
            await self.leave_presence()

    # Client frames

    async def receive(self, text_data=None, bytes_data=None):
        """One client frame, checked as the API checks a request body (``inputs``): any
        refusal is an error frame, and the socket stays usable."""
        if text_data is None:
            return await self.error("bad_frame", _("Seuls les messages texte sont acceptés."))
        if len(text_data) > max_frame():
            return await self.error("too_large", _("Message trop long."))
        try:
            frame = inputs.decode_json(text_data)
        except Invalid as exc:
            return await self.error(exc.code, exc.detail)
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            return await self.error("bad_frame", _("Un objet JSON avec un « type » est attendu."))
        kind = frame.pop("type")
        handler = {
            "resume": self.resume,
            "comment.create": self.create_comment,
            "ping": self.ping,
        }.get(kind)
        if handler is None:
            return await self.error("unknown_type", _("Type de message inconnu."), kind=kind)
        try:
            await handler(frame)
        except ServiceError as exc:
            extra = {"client_id": frame.get("client_id")} if kind == "comment.create" else {}
            await self.error(exc.code, exc.detail, kind=kind, **extra, **exc.extra)

    async def error(self, code: str, detail, **extra):
        await self.send(
            text_data=_dumps({"type": "error", "code": code, "detail": str(detail), **extra})
        )

    async def ping(self, frame: dict):
        inputs.only_fields(frame, set())
        await self.send(text_data=_dumps({"type": "pong", "seq": self.last_seq}))

    async def resume(self, frame: dict):
        after = inputs.only_fields(frame, {"after"}).get("after")
        if not (after == 0 or inputs.is_id(after)):
            raise Invalid({"after": [_("« after » doit être un entier positif ou nul.")]})
        await self.replay(after)

    async def create_comment(self, frame: dict):
        fields = comment_input(frame)
        # A write checks its session itself: the sign-out's group message may still be on
        # its way (through Redis it always is), and a post must never beat it.
        if not await self.session_check():
            return
        comment, created = await database_sync_to_async(post_comment)(
            by=self.user, project=self.project_id, **fields
        )
        await self.send(
            text_data=_dumps(
                {
                    "type": "comment.ack",
                    "client_id": comment.client_id,
                    "id": comment.pk,
                    "created": created,
                }
            )
        )

    # Stream

    async def project_event(self, message):
        seq = message["seq"]
        if seq <= self.last_seq:
            return  # already sent (by a replay)
        if time.time() - message.get("sent", time.time()) > MAX_LAG_SECONDS:
            await self.error("behind", _("Connexion trop lente : reprenez avec « resume »."))
            await self.close(code=CLOSE_BEHIND)
            return
        if seq == self.last_seq + 1:
            self.last_seq = seq
            await self.send(text_data=message["text"])
        else:
            await self.fill(seq)

    async def fill(self, upto: int):
        """Send the events after ``last_seq`` up to ``upto`` from the database."""
        while self.last_seq < upto:
            batch = await database_sync_to_async(events.events_after)(
                self.project_id, self.last_seq, min(REPLAY_BATCH, upto - self.last_seq)
            )
            if not batch:
                return
            for event in batch:
                await self.send(text_data=events.encode(event))
            self.last_seq = batch[-1].seq

    async def replay(self, after: int):
        """Everything after ``after`` up to now, in order, then ``resumed``. Live events at
        or below the new ``last_seq`` are skipped when they arrive. An ``after`` beyond the
        stream's position is refused (code ``ahead``): believed, it would hide every event
        up to it."""
        upto = await database_sync_to_async(self.current_seq)()
        if after > upto:
            raise Conflict(
                _("« after » (%(after)s) dépasse la position du flux (%(seq)s).")
                % {"after": after, "seq": upto},
                code="ahead",
                seq=upto,
            )
        self.last_seq = after
        await self.fill(upto)
        self.last_seq = max(self.last_seq, upto)
        await self.send(text_data=_dumps({"type": "resumed", "seq": self.last_seq}))

    # Access

    async def project_access(self, message):
        await self.check_access()

    async def check_access(self) -> bool:
        code = await database_sync_to_async(self.refusal)()
        if code:
            await self.error("access_lost", _("Vous n'avez plus accès à ce projet."))
            await self.close(code=code)
            return False
        return True

    async def recheck_loop(self):
        while True:
            await asyncio.sleep(RECHECK_SECONDS)
            if not await self.session_check() or not await self.check_access():
                return
            if self.present:
                await database_sync_to_async(self.touch_presence)()

    # Presence (best-effort, signed-in people only)

    async def presence_update(self, message):
        await self.send(text_data=message["text"])

    async def join_presence(self):
        if not self.user.is_authenticated:
            await self.send(text_data=await database_sync_to_async(self.presence_text)())
            return
        first = await database_sync_to_async(self.add_presence)()
        self.present = True
        text = await database_sync_to_async(self.presence_text)()
        if first:
            await self.channel_layer.group_send(
                events.group_name(self.project_id), {"type": "presence.update", "text": text}
            )
        else:
            await self.send(text_data=text)

    async def leave_presence(self):
        last = await database_sync_to_async(self.remove_presence)()
        if last:
            text = await database_sync_to_async(self.presence_text)()
            await self.channel_layer.group_send(
                events.group_name(self.project_id), {"type": "presence.update", "text": text}
            )

    def add_presence(self) -> bool:
        return presence.join_presence(
            channel_name=self.channel_name, project_id=self.project_id, user=self.user
        )

    def remove_presence(self) -> bool:
        return presence.leave_presence(
            channel_name=self.channel_name, project_id=self.project_id, user=self.user
        )

    def touch_presence(self):
        presence.touch_presence(channel_name=self.channel_name)

    def presence_text(self) -> str:
        return _dumps(
            {
                "type": "presence",
                "project": self.project_id,
                "viewers": presence.viewers(self.project_id),
            }
        )
