from django.urls import path

from . import api

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("auth/tokens/", api.TokenListView.as_view(), name="api-tokens"),
    path("auth/tokens/<int:pk>/", api.TokenDetailView.as_view(), name="api-token-detail"),
]
