from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

api_patterns = [
    path("", include("projects.urls")),
    path("", include("workflows.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Redoc rather than Swagger UI: its pages pass axe (contrast, no nested controls).
    path(
        "docs/",
        SpectacularRedocView.as_view(url_name="schema", template_name="frontend/api_docs.html"),
        name="docs",
    ),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (the API's JSON).
    path("favicon.ico", RedirectView.as_view(url=static("frontend/favicon.svg"))),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("frontend.urls")),
]

# Unknown addresses under /api/ answer in the API's JSON error format; elsewhere, the page.
handler404 = "projects.api.not_found"
