"""The incubator's ASGI application plus a bare Channels broadcast, for bench/fanout.py.

``/ws/bare/`` is a default Channels consumer that joins one group and relays what it gets;
``/ws/bare-pub/`` turns each frame it receives into a ``group_send`` to that group. No
application logic, no database: the baseline the project sockets are compared with.
"""

from channels.auth import AuthMiddlewareStack
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path

from incubator.asgi import OriginCheck, django_asgi_app
from live.routing import websocket_urlpatterns

GROUP = "bench-bare"


class BareConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def bare_message(self, message):
        await self.send(text_data=message["text"])


class BarePublisher(AsyncWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None):
        await self.channel_layer.group_send(GROUP, {"type": "bare.message", "text": text_data})


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": OriginCheck(
            AuthMiddlewareStack(
                URLRouter(
                    [
                        path("ws/bare/", BareConsumer.as_asgi()),
                        path("ws/bare-pub/", BarePublisher.as_asgi()),
                        *websocket_urlpatterns,
                    ]
                )
            )
        ),
    }
)
