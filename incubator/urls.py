from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.decorators.common import no_append_slash
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from interop.urls import api_urlpatterns as interop_api
from projects.api import not_found


# Never the target of an added slash: ``/api/projects/x/publiccode.yml`` is a plain 404, not
# a redirect to this catch-all (real views still get their slash added).
@no_append_slash
@csrf_exempt
def api_not_found(request, *args, **kwargs):
    return not_found(request, None)


api_patterns = [
    path("", include("accounts.api_urls")),
    path("", include("projects.urls")),
    path("", include("notifications.urls")),
    path("", include("workflows.urls")),
    path("", include("commons.urls")),
    path("", include("discussion.urls")),
    path("", include("portfolio.urls")),
    path("", include(interop_api)),
    path("", include("evidence.urls")),
    path("", include("webhooks.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Redoc rather than Swagger UI: its pages pass axe (contrast, no nested controls).
    path(
        "docs/",
        # Redoc styles itself with inline <style> elements and parses the schema in a blob:
        # worker: on this one page the policy allows both (scripts stay same-origin only).
        csp_replace({"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
            SpectacularRedocView.as_view(url_name="schema", template_name="frontend/api_docs.html")
        ),
        name="docs",
    ),
    # Last: any other address under /api/ is a JSON 404, in every profile (DEBUG included,
    # where Django would otherwise answer its HTML page).
    re_path(r"^(.*/)?$", api_not_found),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (the API's JSON).
    path("favicon.ico", lambda request: redirect(static("frontend/favicon.svg"), permanent=True)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("interop.urls")),
    path("", include("frontend.urls")),
]

# Unknown addresses under /api/ answer in the API's JSON error format; elsewhere, the page.
handler400 = "projects.api.bad_request"
handler404 = "projects.api.not_found"
