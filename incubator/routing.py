"""Websocket routes; each app owns its consumers."""

from projects.routing import websocket_urlpatterns as project_sockets

websocket_urlpatterns = [*project_sockets]
