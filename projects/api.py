"""The REST API's shared pieces (error responses, input validation, the 400/404 handlers)
and the reference lists: themes, territories, the signed-in person.

Views read through ``Project.objects.visible_to`` and ``access``, validate input with the
input serializers, and write only through ``services``. Every refusal is checked before
the input is read, so a hidden project answers 404 and a forbidden write 401/403 whatever
the body says, and nothing is written.
"""

from django.contrib.auth import get_user_model
from django.http import JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext_lazy as _l
from django.views.defaults import bad_request as bad_request_page
from django.views.defaults import page_not_found
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
)
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from . import access
from .api_support import ErrorSerializer
from .errors import NotFound
from .models import Territory, Theme
from .serializers import (
    MeSerializer,
    TerritorySerializer,
    ThemeSerializer,
)

ERROR_DESCRIPTIONS = {
    400: _l("Requête invalide : `errors` donne les messages de chaque champ. Rien n'a été écrit."),
    401: _l("Non connecté (session ou `Authorization: Token ...`)."),
    403: _l("Connecté, autorisé à voir ceci mais pas à le faire."),
    404: _l("Introuvable, ou caché pour vous : les deux répondent pareil."),
    409: _l("Impossible dans l'état actuel ; `blockers` dit pourquoi quand il le peut."),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """OpenAPI responses for the given error statuses, all in the ``{"detail", "code"}``
    shape of DESIGN.md. For the ``responses`` of ``extend_schema`` in every API module."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
        for code in codes
    }


def bad_request(request, exception):
    """The site's 400 handler (a body over the upload limit, a suspicious request): JSON
    ``{"detail", "code"}`` under ``/api/``, the page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": str(_l("Requête invalide.")), "code": "bad_request"}, status=400
        )
    return bad_request_page(request, exception)


def not_found(request, exception):
    """The site's 404 handler: JSON ``{"detail", "code"}`` under ``/api/``, the page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": str(NotFound.default_detail), "code": NotFound.code}, status=404
        )
    return page_not_found(request, exception)


def validated(request, serializer_class, **kwargs) -> dict:
    """The request body validated by an input serializer; a 400 with field errors if not."""
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ReferenceList(generics.ListAPIView):
    """A small reference table, listed whole; clients may cache it for a few minutes."""

    pagination_class = None
    filter_backends = []

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == status.HTTP_200_OK:
            patch_cache_control(response, max_age=300)
            patch_vary_headers(response, ["Accept-Language", "Cookie"])
        return response


@extend_schema(summary=_l("Lister les thèmes"), responses={200: ThemeSerializer(many=True)})
class ThemeList(ReferenceList):
    queryset = Theme.objects.all()
    serializer_class = ThemeSerializer


@extend_schema(
    summary=_l("Lister les territoires"),
    description=_l("Départements (code INSEE) et régions (`R` + code INSEE)."),
    responses={200: TerritorySerializer(many=True)},
)
class TerritoryList(ReferenceList):
    queryset = Territory.objects.all()
    serializer_class = TerritorySerializer


class MeView(APIView):
    """The signed-in person."""

    @extend_schema(
        summary=_l("Qui suis-je"),
        description=_l("Vos rôles (`curators`, `reviewers`, `funders`) et vos équipes."),
        responses={200: MeSerializer, **errors(401)},
    )
    def get(self, request):
        access.require(request.user.is_authenticated, request.user)
        user = (
            get_user_model()
            .objects.prefetch_related("groups", "memberships__project")
            .get(pk=request.user.pk)
        )
        return Response(MeSerializer(user).data)
