"""Middleware of the whole site."""

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import JsonResponse, QueryDict
from django.utils.translation import gettext as _
from django.views.defaults import bad_request


class QueryStringLimit:
    """A query string with more fields than ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` answers 400
    here, before any view reads it. Left to Django, the refusal is a 400 only without DEBUG:
    the debug page of ``make run`` reads the query string again and fails with a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request.GET  # noqa: B018  (parsing is the check)
        except TooManyFieldsSent as exc:
            request.GET = QueryDict()
            if request.path.startswith("/api/"):
                detail = _("Trop de paramètres dans l'adresse.")
                return JsonResponse({"detail": detail, "code": "too_many_fields"}, status=400)
            return bad_request(request, exc)
        return self.get_response(request)


class PermissionsPolicy:
    """Sends ``PERMISSIONS_POLICY`` with every answer: no camera, microphone, location..."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
