from django.urls import path

from . import thread_api

urlpatterns = [
    path("projects/<int:pk>/comments/", thread_api.CommentListView.as_view(), name="comments"),
    path("comments/<int:pk>/", thread_api.CommentDetailView.as_view(), name="comment"),
    path("projects/<int:pk>/events/", thread_api.EventListView.as_view(), name="events"),
    path("notifications/", thread_api.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/read/",
        thread_api.NotificationReadView.as_view(),
        name="notifications-read",
    ),
    path(
        "notifications/preferences/",
        thread_api.PreferenceView.as_view(),
        name="notification-preferences",
    ),
]
