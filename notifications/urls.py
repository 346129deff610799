from django.urls import path

from . import api

urlpatterns = [
    path("notifications/", api.NotificationListView.as_view(), name="notifications"),
    path("notifications/read/", api.NotificationReadView.as_view(), name="notifications-read"),
    path(
        "notifications/preferences/",
        api.PreferenceView.as_view(),
        name="notification-preferences",
    ),
]
