from django.urls import path

from . import api

urlpatterns = [
    path("webhooks/", api.EndpointListView.as_view(), name="webhooks"),
    path("webhooks/event-types/", api.EventTypesView.as_view(), name="webhook-event-types"),
    path("webhooks/<int:pk>/", api.EndpointDetailView.as_view(), name="webhook"),
    path(
        "webhooks/<int:pk>/rotate-secret/",
        api.RotateSecretView.as_view(),
        name="webhook-rotate-secret",
    ),
    path(
        "webhooks/<int:pk>/deliveries/", api.DeliveryListView.as_view(), name="webhook-deliveries"
    ),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_id>/send-again/",
        api.SendAgainView.as_view(),
        name="webhook-send-again",
    ),
]
