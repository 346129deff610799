"""The REST API of projects and teams.

Views read through ``Project.objects.visible_to`` and ``access``, validate input with the
input serializers, and write only through ``services``. Every refusal is checked before
the input is read, so a hidden project answers 404 and a forbidden write 401/403 whatever
the body says, and nothing is written.
"""

from django.contrib.auth import get_user_model
from django.http import JsonResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext_lazy as _l
from django.views.defaults import bad_request as bad_request_page
from django.views.defaults import page_not_found
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from . import access, services
from .api_support import ErrorSerializer
from .errors import NotFound
from .filters import ProjectFilter
from .inputs import parse_id
from .models import Project, Territory, Theme
from .serializers import (
    MemberInputSerializer,
    MembershipSerializer,
    MeSerializer,
    ProjectInputSerializer,
    ProjectSerializer,
    RoleInputSerializer,
    TerritorySerializer,
    ThemeSerializer,
    team_queryset,
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


PROJECT_EXAMPLE = OpenApiExample(
    "Proposer un projet",
    value={
        "title": "Kit d'inclusion numérique",
        "summary": "Un kit pour accompagner les premiers pas en ligne.",
        "themes": ["inclusion"],
        "territories": ["44", "R52"],
        "origin": "NEC 2018 Nantes",
        "visibility": "public",
    },
    request_only=True,
)
USER_ID = OpenApiParameter(
    "user_id", int, OpenApiParameter.PATH, description=_l("L'identifiant du membre de l'équipe.")
)


@extend_schema_view(
    list=extend_schema(
        summary=_l("Lister les projets que vous pouvez lire"),
        description=_l(
            "Les projets restreints n'apparaissent qu'à leur équipe et aux relecteurs, "
            "financeurs et curateurs. Une valeur de filtre inconnue : 400."
        ),
        responses={200: ProjectSerializer(many=True), **errors(400, 404)},
    ),
    retrieve=extend_schema(
        summary=_l("Lire un projet"), responses={200: ProjectSerializer, **errors(404)}
    ),
    create=extend_schema(
        summary=_l("Proposer un projet"),
        description=_l(
            "Toute personne connectée, qui en devient porteuse. Un champ inconnu : 400."
        ),
        request=ProjectInputSerializer,
        responses={201: ProjectSerializer, **errors(400, 401)},
        examples=[PROJECT_EXAMPLE],
    ),
    partial_update=extend_schema(
        summary=_l("Modifier un projet"),
        description=_l(
            "L'équipe et les curateurs. L'étape n'est pas un champ : les transitions la changent."
        ),
        request=ProjectInputSerializer(partial=True),
        responses={200: ProjectSerializer, **errors(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary=_l("Supprimer un projet"),
        description=_l(
            "Porteurs et curateurs, tant que le projet n'a pas d'historique d'étapes "
            "(409 sinon : archivez-le plutôt)."
        ),
        responses={204: None, **errors(401, 403, 404, 409)},
    ),
)
class ProjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Projects and their teams. Subclasses add actions (the workflow engine adds checklists,
    reviews and transitions) and may swap ``propose``, the service that creates a project."""

    queryset = Project.objects.none()  # the real one is per person: see get_queryset
    serializer_class = ProjectSerializer
    input_serializer_class = ProjectInputSerializer
    filterset_class = ProjectFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    propose = staticmethod(services.create_project)

    def get_queryset(self):
        return ProjectSerializer.prefetch(Project.objects.visible_to(self.request.user))

    def get_object(self) -> Project:
        """The project of the URL if this person may read it; 404 alike when hidden."""
        return access.access_project(self.request.user, self.kwargs[self.lookup_field])

    def output(self, projects, *, many: bool = False) -> dict | list:
        """Serialize projects (fetched again with everything the serializer reads)."""
        if not many:
            projects = [self.get_queryset().get(pk=projects.pk)]
        abilities = access.Abilities(self.request.user, projects)
        serializer = self.get_serializer(
            projects, many=True, context={**self.get_serializer_context(), "abilities": abilities}
        )
        return serializer.data if many else serializer.data[0]

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.output(page, many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self.output(self.get_object()))

    def create(self, request, *args, **kwargs):
        access.require(request.user.is_authenticated, request.user)
        data = validated(request, self.input_serializer_class)
        project = self.propose(by=request.user, **data)
        return Response(
            self.output(project),
            status=status.HTTP_201_CREATED,
            headers={
                "Location": request.build_absolute_uri(reverse("project-detail", args=[project.pk]))
            },
        )

    def update(self, request, *args, **kwargs):
        project = self.get_object()
        access.require(access.can_edit(request.user, project), request.user)
        data = validated(request, self.input_serializer_class, partial=True)
        project = services.update_project(by=request.user, project=project, **data)
        return Response(self.output(project))

    def destroy(self, request, *args, **kwargs):
        project = self.get_object()
        access.require(access.can_delete(request.user, project), request.user)
        services.delete_project(by=request.user, project=project)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["GET"],
        summary=_l("Lister l'équipe d'un projet"),
        responses={200: MembershipSerializer(many=True), **errors(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary=_l("Ajouter quelqu'un à l'équipe"),
        description=_l("Porteurs et curateurs. Une personne déjà dans l'équipe : 400."),
        request=MemberInputSerializer,
        responses={201: MembershipSerializer, **errors(400, 401, 403, 404)},
        examples=[OpenApiExample("Ajouter un membre", value={"user": 42, "role": "member"})],
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="members",
        filter_backends=[],
        pagination_class=None,
    )
    def members(self, request, pk=None):
        project = self.get_object()
        if request.method == "POST":
            access.require(access.can_manage_team(request.user, project), request.user)
            data = validated(request, MemberInputSerializer)
            membership = services.add_member(
                by=request.user, project=project, user_id=data["user"], role=data["role"]
            )
            return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)
        team = team_queryset().filter(project=project)  # GET, and HEAD
        return Response(MembershipSerializer(team, many=True).data)

    @extend_schema(
        methods=["PATCH"],
        summary=_l("Changer le rôle d'un membre"),
        description=_l("Porteurs et curateurs. Rétrograder le dernier porteur : 400."),
        parameters=[USER_ID],
        request=RoleInputSerializer,
        responses={200: MembershipSerializer, **errors(400, 401, 403, 404)},
    )
    @extend_schema(
        methods=["DELETE"],
        summary=_l("Retirer quelqu'un de l'équipe"),
        description=_l(
            "Porteurs et curateurs retirent qui ils veulent ; un membre peut partir. "
            "Le dernier porteur reste (400)."
        ),
        parameters=[USER_ID],
        responses={204: None, **errors(400, 401, 403, 404)},
    )
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=r"members/(?P<user_id>[^/.]+)",
        url_name="member",
        filter_backends=[],
        pagination_class=None,
    )
    def member(self, request, pk=None, user_id=None):
        project = self.get_object()
        user_id = parse_id(user_id)
        if user_id is None:
            raise NotFound()
        if request.method == "DELETE":
            services.remove_member(by=request.user, project=project, user_id=user_id)
            return Response(status=status.HTTP_204_NO_CONTENT)
        access.require(access.can_manage_team(request.user, project), request.user)
        data = validated(request, RoleInputSerializer)
        membership = services.change_role(
            by=request.user, project=project, user_id=user_id, role=data["role"]
        )
        return Response(MembershipSerializer(membership).data)


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
