"""The websocket routes of the site: the project stream and the unread count."""

from django.urls import path

from notifications.consumers import NotificationConsumer

from .consumers import ProjectConsumer

websocket_urlpatterns = [
    path("ws/projects/<int:project_id>/", ProjectConsumer.as_asgi()),
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]
