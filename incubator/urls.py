from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
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
    path("favicon.ico", lambda request: redirect(static("frontend/favicon.svg"), permanent=True)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("frontend.urls")),
]

# Unknown addresses under /api/ answer in the API's JSON error format; elsewhere, the page.
handler404 = "projects.api.not_found"
