from django.urls import path

from . import api

urlpatterns = [
    path("projects/<int:pk>/comments/", api.CommentListView.as_view(), name="comments"),
    path("comments/<int:pk>/", api.CommentDetailView.as_view(), name="comment"),
    path("projects/<int:pk>/events/", api.EventListView.as_view(), name="events"),
]
