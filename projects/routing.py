"""Websocket routes of the projects app."""

from django.urls import path

from .consumers import NotificationConsumer, ProjectConsumer

websocket_urlpatterns = [
    path("ws/projects/<int:project_id>/", ProjectConsumer.as_asgi()),
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]
