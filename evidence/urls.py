from django.urls import path

from . import api

urlpatterns = [
    path("projects/<int:pk>/scans/", api.ScansView.as_view(), name="scans"),
    path("projects/<int:pk>/scans/<int:scan_id>/", api.ScanView.as_view(), name="scan"),
    path("projects/<int:pk>/evidence/", api.EvidenceView.as_view(), name="evidence"),
    path("projects/<int:pk>/exemptions/", api.ExemptionsView.as_view(), name="exemptions"),
]
