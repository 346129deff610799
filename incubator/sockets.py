"""What every websocket consumer of the site shares: the session binding, the fast event
path, the JSON frames and the close code of an ended session."""

import asyncio
import functools
import json

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer
from django.utils.translation import gettext as _

from accounts.sessions import session_group, session_is_current

# How often a socket checks its session (and, on a project, its access and presence row).
RECHECK_SECONDS = 30
CLOSE_NOT_AUTHENTICATED = 4401


def dumps(frame: dict) -> str:
    return json.dumps(frame, ensure_ascii=False, default=str)


class FastEventsMixin:
    """Two costs Channels pays per socket and per message, removed for fan-out.

    ``AsyncConsumer.dispatch`` hands every handler call to a thread to clean up old database
    connections (``aclose_old_connections``): handlers listed in ``orm_free`` never touch the
    ORM and skip that hop. And ``await_many_dispatch`` creates a task and waits on two per
    message: here each source (the client, the channel layer) has one long-lived pump, and a
    lock keeps handlers one at a time, in arrival order per source, as Channels does.
    """

    orm_free: frozenset[str] = frozenset()

    async def __call__(self, scope, receive, send):
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = await self.channel_layer.new_channel()
        self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
        self.base_send = send
        one_at_a_time = asyncio.Lock()

        async def pump(source):
            while True:
                message = await source()
                async with one_at_a_time:
                    await self.dispatch(message)

        pumps = [
            asyncio.create_task(pump(receive)),
            asyncio.create_task(pump(self.channel_receive)),
        ]
        try:
            done, _pending = await asyncio.wait(pumps, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                task.result()
        except StopConsumer:
            pass
        finally:
            for task in pumps:
                task.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)

    async def dispatch(self, message):
        if message["type"] in self.orm_free:
            await getattr(self, message["type"].replace(".", "_"))(message)
        else:
            await super().dispatch(message)


class SessionBoundMixin:
    """A signed-in person's socket lives as long as their session: it joins the person's
    ``sessions-<id>`` group, checks its session when told (``session.check``, sent on
    sign-out and password changes from any process) and on its timer, and closes with 4401
    once the session has ended."""

    session_group = None

    async def join_session_group(self):
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            self.session_group = session_group(user.pk)
            await self.channel_layer.group_add(self.session_group, self.channel_name)

    async def leave_session_group(self):
        if self.session_group:
            await self.channel_layer.group_discard(self.session_group, self.channel_name)

    def session_ended(self) -> bool:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            return False
        session = self.scope.get("session")
        return not session_is_current(getattr(session, "session_key", None), user.pk)

    async def session_check(self, message=None) -> bool:
        """Close (4401) if the session has ended; True if the socket stays."""
        if await database_sync_to_async(self.session_ended)():
            await self.error("session_ended", _("Votre session est terminée : reconnectez-vous."))
            await self.close(code=CLOSE_NOT_AUTHENTICATED)
            return False
        return True
