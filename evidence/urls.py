from django.urls import path

from . import api

urlpatterns = [
    path("projects/<int:pk>/scans/", api.ScansView.as_view(), name="scans"),
]
