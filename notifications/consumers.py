"""``/ws/notifications/``: a person's unread count (see DESIGN.md's "Real-time contract")."""

import asyncio

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils.translation import gettext as _

from incubator.sockets import (
    CLOSE_NOT_AUTHENTICATED,
    RECHECK_SECONDS,
    FastEventsMixin,
    SessionBoundMixin,
)
from incubator.sockets import dumps as _dumps

from .services import unread_count, user_group


class NotificationConsumer(SessionBoundMixin, FastEventsMixin, AsyncWebsocketConsumer):
    """``/ws/notifications/``: the signed-in person's unread count, pushed when it changes."""

    orm_free = frozenset({"notification.unread"})
    group = None
    recheck_task = None

    async def connect(self):
        user = self.scope.get("user")
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_AUTHENTICATED)
            return
        await self.join_session_group()
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        count = await database_sync_to_async(unread_count)(user)
        await self.send(text_data=_dumps({"type": "unread", "count": count}))
        self.recheck_task = asyncio.create_task(self.recheck_loop())

    async def recheck_loop(self):
        while await self.session_check():
            await asyncio.sleep(RECHECK_SECONDS)

    async def disconnect(self, code):
        if self.recheck_task is not None:
            self.recheck_task.cancel()
        await self.leave_session_group()
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def error(self, code: str, detail, **extra):
        await self.send(
            text_data=_dumps({"type": "error", "code": code, "detail": str(detail), **extra})
        )

    async def receive(self, text_data=None, bytes_data=None):
        await self.error("read_only", _("Ce canal ne reçoit pas de messages."))

    async def notification_unread(self, message):
        await self.send(text_data=_dumps({"type": "unread", "count": message["count"]}))
