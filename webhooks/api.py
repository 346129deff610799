"""``/api/webhooks/``: register endpoints, change, rotate and delete them, read their
delivery log and send a delivery again. Each answer is the owner's or a curator's; anyone
else gets 404 as for a missing endpoint."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from projects import access as project_access
from projects.api import errors
from projects.api_support import Pagination
from projects.errors import Invalid
from projects.inputs import parse_id

from . import access, services
from .models import EVENT_LABELS, Attempt, Delivery
from .serializers import (
    DeliverySerializer,
    EndpointInputSerializer,
    EndpointPatchSerializer,
    EndpointSerializer,
    EventTypeSerializer,
    NewSecretSerializer,
)

TAGS = ["webhooks"]
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
ENDPOINT = {
    "id": 7,
    "url": "https://partenaire.example.org/hooks/incubateur",
    "description": "Recoco : suivi du kit",
    "event_types": ["review.decided", "project.stage_changed"],
    "project": 12,
    "owner": "porteuse",
    "status": "active",
    "active": True,
    "disabled_reason": "",
    "disabled_at": None,
    "previous_secret_until": None,
    "created_at": "2026-12-01T09:30:00+01:00",
    "updated_at": "2026-12-01T09:30:00+01:00",
}
REGISTER_EXAMPLES = [
    OpenApiExample(
        "Suivre un projet",
        value={
            "url": "https://partenaire.example.org/hooks/incubateur",
            "event_types": ["review.decided", "project.stage_changed"],
            "project": 12,
            "description": "Recoco : suivi du kit",
        },
        request_only=True,
    ),
    OpenApiExample(
        "Tout le portefeuille (curateurs)",
        value={
            "url": "https://observatoire.example.org/webhooks",
            "event_types": ["project.stage_changed"],
        },
        request_only=True,
    ),
    OpenApiExample(
        "Le webhook créé, avec son secret", value={**ENDPOINT, "secret": SECRET}, response_only=True
    ),
    OpenApiExample(
        "Type inconnu",
        value={
            "detail": "Certains champs sont invalides.",
            "code": "invalid",
            "errors": {"event_types": ["Type d'événement inconnu : project.renamed."]},
        },
        response_only=True,
        status_codes=["400"],
    ),
    OpenApiExample(
        "Adresse privée",
        value={
            "detail": "Certains champs sont invalides.",
            "code": "private_address",
            "errors": {
                "url": ["L'hôte pointe vers une adresse privée, locale ou de métadonnées : refusé."]
            },
        },
        response_only=True,
        status_codes=["400"],
    ),
]
DELIVERY_EXAMPLE = OpenApiExample(
    "Un envoi réessayé puis livré",
    value={
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": 31,
                "message_id": "msg_2bHq0m4Zy3kS9vB1xW7tLp",
                "type": "project.stage_changed",
                "project": 12,
                "seq": 48,
                "status": "delivered",
                "attempts": 2,
                "next_attempt_at": None,
                "first_attempt_at": "2026-12-01T10:00:00+01:00",
                "finished_at": "2026-12-01T10:00:31+01:00",
                "last_status_code": 204,
                "last_error": "",
                "created_at": "2026-12-01T10:00:00+01:00",
                "attempt_log": [
                    {
                        "at": "2026-12-01T10:00:31+01:00",
                        "duration_ms": 84,
                        "status_code": 204,
                        "error": "",
                        "error_text": "",
                        "detail": "",
                        "response": "",
                        "truncated": False,
                        "manual": False,
                    },
                    {
                        "at": "2026-12-01T10:00:00+01:00",
                        "duration_ms": 10002,
                        "status_code": None,
                        "error": "timeout",
                        "error_text": "Le destinataire n'a pas répondu dans le temps permis.",
                        "detail": "",
                        "response": "",
                        "truncated": False,
                        "manual": False,
                    },
                ],
            }
        ],
    },
    response_only=True,
)


def _signed_in(request) -> None:
    project_access.require(project_access.is_signed_in(request.user), request.user)


def _input(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class EndpointListView(APIView):
    @extend_schema(
        tags=TAGS,
        summary=_("Lister les webhooks"),
        description=_(
            "Les vôtres ; un curateur les voit tous. `?project=<id>` : ceux d'un projet."
        ),
        parameters=[OpenApiParameter("project", int, required=False)],
        responses={200: EndpointSerializer(many=True), **errors(400, 401)},
    )
    def get(self, request):
        _signed_in(request)
        endpoints = access.endpoints_visible_to(request.user)
        raw = request.query_params.get("project")
        if raw not in (None, ""):
            project_id = parse_id(raw)
            if project_id is None:
                raise Invalid({"project": [_("Identifiant invalide.")]})
            endpoints = endpoints.filter(project_id=project_id)
        return Response(EndpointSerializer(endpoints[:1000], many=True).data)

    @extend_schema(
        tags=TAGS,
        summary=_("Enregistrer un webhook"),
        description=_(
            "Pour un projet (ses porteurs et les curateurs) ou, sans `project`, pour tout le "
            "portefeuille (curateurs). L'adresse doit être https:// et publique (ni privée, "
            "ni locale, ni de métadonnées) ; un type d'événement inconnu est un 400. Le "
            "secret de signature n'est montré que dans cette réponse."
        ),
        request=EndpointInputSerializer,
        responses={201: NewSecretSerializer, **errors(400, 401, 403, 404, 409)},
        examples=REGISTER_EXAMPLES,
    )
    def post(self, request):
        _signed_in(request)
        data = _input(EndpointInputSerializer, request)
        endpoint, secret = services.register_endpoint(
            by=request.user,
            url=data["url"],
            event_types=data["event_types"],
            project_id=data.get("project"),
            description=data.get("description", ""),
        )
        endpoint.secret = secret
        return Response(NewSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class EventTypesView(APIView):
    @extend_schema(
        tags=TAGS,
        summary=_("Les types d'événements qu'un webhook peut recevoir"),
        responses={200: EventTypeSerializer(many=True)},
        auth=[],
    )
    def get(self, request):
        rows = [{"type": name, "label": str(label)} for name, label in EVENT_LABELS.items()]
        return Response(EventTypeSerializer(rows, many=True).data)


class EndpointDetailView(APIView):
    @extend_schema(
        tags=TAGS,
        summary=_("Lire un webhook"),
        responses={200: EndpointSerializer, **errors(401, 404)},
    )
    def get(self, request, pk):
        _signed_in(request)
        return Response(EndpointSerializer(access.access_endpoint(request.user, pk)).data)

    @extend_schema(
        tags=TAGS,
        summary=_("Modifier un webhook, le désactiver ou le réactiver"),
        description=_(
            "`active: true` réactive un webhook désactivé (à la main, après des échecs "
            "répétés ou un accès perdu) : ses envois en attente repartent dans l'ordre. "
            "Refusé (409 `access_lost`) si son propriétaire ne peut plus lire le projet."
        ),
        request=EndpointPatchSerializer,
        responses={200: EndpointSerializer, **errors(400, 401, 404, 409)},
        examples=[
            OpenApiExample("Réactiver", value={"active": True}, request_only=True),
            OpenApiExample(
                "Changer les types",
                value={"event_types": ["project.stage_changed"]},
                request_only=True,
            ),
        ],
    )
    def patch(self, request, pk):
        _signed_in(request)
        access.access_endpoint(request.user, pk)
        data = _input(EndpointPatchSerializer, request)
        endpoint = services.update_endpoint(by=request.user, endpoint_id=pk, **data)
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(
        tags=TAGS,
        summary=_("Supprimer un webhook et son journal"),
        responses={204: None, **errors(401, 404)},
    )
    def delete(self, request, pk):
        _signed_in(request)
        services.delete_endpoint(by=request.user, endpoint_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RotateSecretView(APIView):
    @extend_schema(
        tags=TAGS,
        summary=_("Changer le secret de signature"),
        description=_(
            "Un nouveau secret, montré dans cette réponse seulement. Pendant "
            "`WEBHOOKS_ROTATION_HOURS` (24 h), chaque envoi porte deux signatures "
            "(`v1,<nouveau> v1,<ancien>`, comme le prévoit Standard Webhooks) : le "
            "destinataire change de secret sans refuser un message."
        ),
        request=None,
        responses={200: NewSecretSerializer, **errors(401, 404)},
        examples=[
            OpenApiExample(
                "Le nouveau secret",
                value={
                    **ENDPOINT,
                    "previous_secret_until": "2026-12-02T09:30:00+01:00",
                    "secret": SECRET,
                },
                response_only=True,
            )
        ],
    )
    def post(self, request, pk):
        _signed_in(request)
        endpoint, secret = services.rotate_secret(by=request.user, endpoint_id=pk)
        endpoint.secret = secret
        return Response(NewSecretSerializer(endpoint).data)


def _deliveries(endpoint):
    since = timezone.now() - timedelta(days=settings.WEBHOOKS_LOG_DAYS)
    return (
        Delivery.objects.filter(endpoint=endpoint, created_at__gte=since)
        .select_related("lane")
        .prefetch_related(Prefetch("attempt_log", queryset=Attempt.objects.order_by("-at", "-id")))
        .order_by("-created_at", "-id")
    )


class DeliveryListView(APIView):
    @extend_schema(
        tags=TAGS,
        summary=_("Le journal des envois (30 derniers jours)"),
        description=_(
            "Chaque envoi avec ses tentatives : date, durée, code de réponse ou raison de "
            "l'échec. `?status=pending|delivered|failed|withheld`."
        ),
        parameters=[
            OpenApiParameter("status", str, enum=Delivery.Status.values, required=False),
            OpenApiParameter("page", int, required=False),
            OpenApiParameter("page_size", int, required=False),
        ],
        responses={200: DeliverySerializer(many=True), **errors(400, 401, 404)},
        examples=[DELIVERY_EXAMPLE],
    )
    def get(self, request, pk):
        _signed_in(request)
        endpoint = access.access_endpoint(request.user, pk)
        rows = _deliveries(endpoint)
        wanted = request.query_params.get("status")
        if wanted not in (None, ""):
            if wanted not in Delivery.Status.values:
                raise Invalid({"status": [_("Statut inconnu.")]})
            rows = rows.filter(status=wanted)
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(DeliverySerializer(page, many=True).data)


class SendAgainView(APIView):
    @extend_schema(
        tags=TAGS,
        summary=_("Envoyer de nouveau"),
        description=_(
            "Par un worker. Un envoi en attente est tenté tout de suite, toujours dans "
            "l'ordre du projet ; un envoi terminé (livré, en échec, retenu) reçoit une "
            "tentative de plus, hors de l'ordre, avec le même `webhook-id`. L'accès du "
            "propriétaire au projet est vérifié de nouveau."
        ),
        request=None,
        responses={202: DeliverySerializer, **errors(401, 404, 409)},
    )
    def post(self, request, pk, delivery_id):
        _signed_in(request)
        delivery = services.send_again(by=request.user, endpoint_id=pk, delivery_id=delivery_id)
        delivery = (
            Delivery.objects.select_related("lane")
            .prefetch_related("attempt_log")
            .get(pk=delivery.pk)
        )
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
