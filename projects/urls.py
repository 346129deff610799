from django.urls import path

from . import api, thread_api

urlpatterns = [
    path("themes/", api.ThemeList.as_view(), name="theme-list"),
    path("territories/", api.TerritoryList.as_view(), name="territory-list"),
    path("me/", api.MeView.as_view(), name="me"),
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
