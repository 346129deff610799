"""The interop app's addresses: ``api_urlpatterns`` under /api/, ``urlpatterns`` (the
feeds) at the root."""

from django.urls import path

from . import api, feeds

app_name = "interop"

api_urlpatterns = [
    path(
        "projects/<int:pk>/publiccode.yml", api.PublicCodeView.as_view(), name="project-publiccode"
    ),
    path("opendata/datapackage.json", api.DataPackageView.as_view(), name="opendata-datapackage"),
    path("opendata/portefeuille.zip", api.ZipView.as_view(), name="opendata-zip"),
    path("opendata/<str:name>.csv", api.ResourceView.as_view(), name="opendata-resource"),
]

urlpatterns = [
    path("feeds/stages.atom", feeds.PortfolioStageFeed(), name="stage_feed"),
    path("projects/<int:pk>/stages.atom", feeds.ProjectStageFeed(), name="project_stage_feed"),
]
