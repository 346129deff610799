"""Workflow endpoints: the project resource (proposed and deleted through the workflow, with
its team), checklists, transitions, gate reviews, history, gates and criteria.

Views only parse input, call a service or a gate predicate, and serialise the answer.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _l
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from projects import access
from projects import services as project_services
from projects.api import errors, validated
from projects.errors import NotFound
from projects.filters import ProjectFilter
from projects.inputs import parse_id
from projects.models import Project
from projects.serializers import (
    MemberInputSerializer,
    MembershipSerializer,
    ProjectInputSerializer,
    RoleInputSerializer,
    team_queryset,
)

from . import access as workflow_access
from . import configuration, gates, lifecycle, services
from .models import Criterion, Gate, StageTransition
from .serializers import (
    ChecklistChangeSerializer,
    ChecklistItemSerializer,
    ConditionSerializer,
    CriterionSerializer,
    DecisionInputSerializer,
    DecisionSerializer,
    EmptySerializer,
    GateReviewSerializer,
    GateSerializer,
    HoldInputSerializer,
    HoldSerializer,
    ItemUpdateSerializer,
    LessonSerializer,
    NoteSerializer,
    ProjectSerializer,
    StageTransitionSerializer,
    TransitionInputSerializer,
    TransitionOptionSerializer,
)

BLOCKERS_EXAMPLE = OpenApiExample(
    "Blocked",
    status_codes=["409"],
    response_only=True,
    value={
        "detail": "2 critères requis ne sont pas encore vérifiés.",
        "code": "criteria_unverified",
        "blockers": [
            {
                "code": "criteria_unverified",
                "detail": "2 critères requis ne sont pas encore vérifiés.",
                "criteria": ["pilot-gdpr", "pilot-accessibility"],
            },
            {"code": "approvals_missing", "detail": "Il manque 1 approbation.", "missing": 1},
        ],
    },
)


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
    """Projects and their teams. A project is proposed (``propose``: it receives the
    checklist of its first gate) and deleted through the workflow's services; its
    description and team through the projects' services."""

    queryset = Project.objects.none()  # the real one is per person: see get_queryset
    serializer_class = ProjectSerializer
    input_serializer_class = ProjectInputSerializer
    filterset_class = ProjectFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    propose = staticmethod(services.propose_project)

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
        project = project_services.update_project(by=request.user, project=project, **data)
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
            membership = project_services.add_member(
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
            project_services.remove_member(by=request.user, project=project, user_id=user_id)
            return Response(status=status.HTTP_204_NO_CONTENT)
        access.require(access.can_manage_team(request.user, project), request.user)
        data = validated(request, RoleInputSerializer)
        membership = project_services.change_role(
            by=request.user, project=project, user_id=user_id, role=data["role"]
        )
        return Response(MembershipSerializer(membership).data)


class ChecklistView(APIView):
    @extend_schema(
        tags=["workflow"],
        summary="The checklist of the project's next gate",
        responses={200: ChecklistItemSerializer(many=True), **errors(404)},
    )
    def get(self, request, pk):
        project = access.access_project(request.user, pk)
        items = gates.checklist_for(project).select_related("criterion__gate")
        return Response(ChecklistItemSerializer(items, many=True).data)


class ChecklistItemView(APIView):
    @extend_schema(
        tags=["workflow"],
        summary="One checklist item with its change history",
        responses={200: ChecklistItemSerializer, **errors(404)},
    )
    def get(self, request, pk, item_id):
        item = workflow_access.access_item(request.user, item_id, project=pk)
        changes = item.changes.select_related("actor", "item__criterion")
        return Response(
            {
                **ChecklistItemSerializer(item).data,
                "changes": ChecklistChangeSerializer(changes, many=True).data,
            }
        )

    @extend_schema(
        tags=["workflow"],
        summary="Attest, claim not applicable, verify or reject an item",
        description=(
            "`attested` (team, with `evidence_url` and/or `evidence_text` as the criterion "
            "asks), `not_applicable` (team, with `justification`), `verified` (reviewer, "
            "optional `note`; also accepts a not-applicable claim), `rejected` (reviewer, "
            "`note` required). A verification that completes the open review's conditions "
            "advances the project in the same transaction."
        ),
        request=ItemUpdateSerializer,
        responses={200: ChecklistItemSerializer, **errors(400, 401, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Attest",
                request_only=True,
                value={"status": "attested", "evidence_url": "https://forge.example.org/kit"},
            ),
            OpenApiExample(
                "Verify", request_only=True, value={"status": "verified", "note": "Vu."}
            ),
        ],
    )
    def patch(self, request, pk, item_id):
        item = workflow_access.access_item(request.user, item_id, project=pk)
        user = request.user
        may_answer = access.can_edit(user, item.project)
        access.require(
            may_answer or gates.may_review(user, item.project, item.criterion.gate), user
        )
        data = ItemUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.update_item(by=request.user, item=item, **data.validated_data)
        return Response(ChecklistItemSerializer(item).data)


class TransitionsView(APIView):
    @extend_schema(
        tags=["workflow"],
        summary="What the current user may do now, with the blockers",
        responses={200: TransitionOptionSerializer(many=True), **errors(404)},
    )
    def get(self, request, pk):
        project = access.access_project(request.user, pk)
        return Response(gates.transitions_for(request.user, project))


class FireTransitionView(APIView):
    @extend_schema(
        tags=["workflow"],
        summary="Fire a transition: send_back, compost, archive, reopen or advance",
        description=(
            "`send_back`, `archive` and `reopen` need a `rationale`; `send_back` may name "
            "`criteria` (codes of the gate the project passed last) whose items go back to "
            "the team; `compost` needs the lesson (`tried`, `worked`, `failed`, `reusable`, "
            "optional `links`) and archives the project with it. Holds are placed and "
            "lifted at `holds/`."
        ),
        request=TransitionInputSerializer,
        responses={201: StageTransitionSerializer, **errors(400, 401, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Archive",
                request_only=True,
                value={"rationale": "L'équipe a mis le projet en pause."},
            ),
            BLOCKERS_EXAMPLE,
        ],
    )
    def post(self, request, pk, name):
        project = access.access_project(request.user, pk)
        access.require(services.may_fire(request.user, project, name), request.user)
        data = TransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.fire(by=request.user, project=project, name=name, **data.validated_data)
        return Response(StageTransitionSerializer(row).data, status=201)


class HoldsView(APIView):
    @extend_schema(
        tags=["workflow"],
        summary="The project's holds, newest first",
        responses={200: HoldSerializer(many=True), **errors(404)},
    )
    def get(self, request, pk):
        project = access.access_project(request.user, pk)
        holds = project.holds.select_related("proposed_by", "lifted_by").prefetch_related(
            "backings__reviewer"
        )
        return Response(HoldSerializer(holds, many=True).data)

    @extend_schema(
        tags=["workflow"],
        summary="Hold the project at its stage (curators), or propose or back a hold (reviewers)",
        description=(
            "With `reason` and `revisit_on` (a future date): a curator's hold is in force at "
            "once; a reviewer's is proposed, and in force once the quorum of the project's "
            "gate (the next one; the commons gate for a commons) has backed it. Without "
            "them: back the hold already proposed. Nothing advances while a hold is in force."
        ),
        request=HoldInputSerializer,
        responses={201: HoldSerializer, **errors(400, 401, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Hold",
                request_only=True,
                value={"reason": "Condition manquée : attendons.", "revisit_on": "2027-03-01"},
            )
        ],
    )
    def post(self, request, pk):
        project = access.access_project(request.user, pk)
        access.require(gates.may_hold(request.user, project), request.user)
        data = HoldInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hold = lifecycle.hold(by=request.user, project=project, **data.validated_data)
        return Response(HoldSerializer(hold).data, status=201)


class LiftHoldView(APIView):
    @extend_schema(
        tags=["workflow"],
        summary="Lift the hold (curators, or the reviewers' quorum) or withdraw a proposal",
        request=NoteSerializer,
        responses={200: HoldSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        project = access.access_project(request.user, pk)
        access.require(gates.may_hold(request.user, project), request.user)
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hold = lifecycle.lift_hold(by=request.user, project=project, **data.validated_data)
        return Response(HoldSerializer(hold).data)


class ConditionsView(APIView):
    @extend_schema(
        tags=["workflow"],
        summary="The project's conditions, by due date",
        responses={200: ConditionSerializer(many=True), **errors(404)},
    )
    def get(self, request, pk):
        project = access.access_project(request.user, pk)
        conditions = project.conditions.select_related(
            "review__gate", "criterion", "owner", "closed_by"
        )
        return Response(ConditionSerializer(conditions, many=True).data)


class ConditionOutcomeView(APIView):
    outcome = None

    def post(self, request, pk, condition_id):
        condition = workflow_access.access_condition(request.user, condition_id, project=pk)
        data = NoteSerializer(data=request.data)
        if self.outcome == "met":
            services.require_reviewer(request.user, condition.project, condition.review.gate)
            data.is_valid(raise_exception=True)
            condition = lifecycle.meet_condition(
                by=request.user, condition=condition, **data.validated_data
            )
        else:
            access.require(access.is_curator(request.user), request.user)
            data.is_valid(raise_exception=True)
            condition = lifecycle.waive_condition(
                by=request.user, condition=condition, note=data.validated_data.get("note", "")
            )
        return Response(ConditionSerializer(condition).data)


class MeetConditionView(ConditionOutcomeView):
    outcome = "met"

    @extend_schema(
        tags=["workflow"],
        summary="Say a condition is met (a reviewer of its gate, or a curator)",
        request=NoteSerializer,
        responses={200: ConditionSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk, condition_id):
        return super().post(request, pk, condition_id)


class WaiveConditionView(ConditionOutcomeView):
    outcome = "waived"

    @extend_schema(
        tags=["workflow"],
        summary="Waive a condition, with a note (curators)",
        request=NoteSerializer,
        responses={200: ConditionSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk, condition_id):
        return super().post(request, pk, condition_id)


class LessonsView(GenericAPIView):
    serializer_class = LessonSerializer
    queryset = StageTransition.objects.none()

    @extend_schema(
        tags=["workflow"],
        summary="Lessons of composted projects, newest first (those of projects you may read)",
        responses={200: LessonSerializer(many=True), **errors(400, 404)},
        auth=[{}],
    )
    def get(self, request):
        page = self.paginate_queryset(lifecycle.lessons_for(request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ProjectReviewsView(APIView):
    @extend_schema(
        tags=["workflow"],
        summary="The project's gate reviews, newest first",
        responses={200: GateReviewSerializer(many=True), **errors(404)},
    )
    def get(self, request, pk):
        project = access.access_project(request.user, pk)
        reviews = project.reviews.select_related("gate", "opened_by").prefetch_related(
            "decisions__reviewer"
        )
        return Response(GateReviewSerializer(reviews, many=True).data)

    @extend_schema(
        tags=["workflow"],
        summary="Ask to pass the next gate",
        description="Every required item must be attested or claimed not applicable; "
        "otherwise 409 with the blockers.",
        request=EmptySerializer,
        responses={201: GateReviewSerializer, **errors(400, 401, 403, 404, 409)},
        examples=[BLOCKERS_EXAMPLE],
    )
    def post(self, request, pk):
        project = access.access_project(request.user, pk)
        access.require(access.can_edit(request.user, project), request.user)
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        review = services.open_review(by=request.user, project=project)
        return Response(GateReviewSerializer(review).data, status=201)


class ReviewView(APIView):
    @extend_schema(
        tags=["workflow"],
        summary="One gate review with its decisions",
        responses={200: GateReviewSerializer, **errors(404)},
    )
    def get(self, request, review_id):
        review = workflow_access.access_review(request.user, review_id)
        return Response(GateReviewSerializer(review).data)


class DecisionsView(APIView):
    @extend_schema(
        tags=["workflow"],
        summary="Vote on a gate review",
        description="`approve`, `request_changes` (returns the review to the team) or "
        "`reject` (closes it), with a rationale. The approval that completes the quorum "
        "while every required criterion is verified advances the project.",
        request=DecisionInputSerializer,
        responses={201: DecisionSerializer, **errors(400, 401, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Approve",
                request_only=True,
                value={"verdict": "approve", "rationale": "Critères vérifiés, équipe solide."},
            )
        ],
    )
    def post(self, request, review_id):
        review = workflow_access.access_review(request.user, review_id)
        services.require_reviewer(request.user, review.project, review.gate)
        data = DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = services.decide(by=request.user, review=review, **data.validated_data)
        return Response(DecisionSerializer(decision).data, status=201)


class WithdrawView(APIView):
    @extend_schema(
        tags=["workflow"],
        summary="Withdraw an open gate review (team)",
        request=EmptySerializer,
        responses={200: GateReviewSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, review_id):
        review = workflow_access.access_review(request.user, review_id)
        access.require(access.can_edit(request.user, review.project), request.user)
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        review = services.withdraw_review(by=request.user, review=review)
        return Response(GateReviewSerializer(review).data)


class HistoryView(GenericAPIView):
    serializer_class = StageTransitionSerializer
    queryset = StageTransition.objects.none()

    @extend_schema(
        tags=["workflow"],
        summary="The project's stage transitions, oldest first",
        responses={200: StageTransitionSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request, pk):
        project = access.access_project(request.user, pk)
        rows = project.transitions.select_related("actor").order_by("at", "id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CuratorWrites(BasePermission):
    """Everyone reads; only curators write."""

    def has_permission(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return access.is_curator(request.user)


class PublicReadSchema(AutoSchema):
    """Says that reading needs no authentication (``CuratorWrites`` lets everyone read)."""

    def get_auth(self):
        auths = super().get_auth()
        if self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths


@extend_schema_view(
    list=extend_schema(responses={200: CriterionSerializer(many=True), **errors(400, 404)}),
    retrieve=extend_schema(responses={200: CriterionSerializer, **errors(404)}),
    create=extend_schema(responses={201: CriterionSerializer, **errors(400, 401, 403)}),
    partial_update=extend_schema(
        responses={200: CriterionSerializer, **errors(400, 401, 403, 404)}
    ),
    destroy=extend_schema(responses={204: None, **errors(401, 403, 404, 409)}),
)
@extend_schema(tags=["configuration"])
class CriterionViewSet(viewsets.ModelViewSet):
    """Gate criteria. Editing one never rewrites checklists already handed out; a criterion
    with answers cannot be deleted (deactivate it instead)."""

    queryset = Criterion.objects.select_related("gate").order_by("gate_id", "position", "id")
    serializer_class = CriterionSerializer
    permission_classes = [CuratorWrites]
    schema = PublicReadSchema()
    filterset_fields = ["gate__stage", "principle", "level", "active"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = configuration.create_criterion(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = configuration.update_criterion(
            by=self.request.user, criterion=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        configuration.delete_criterion(by=self.request.user, criterion=instance)


@extend_schema_view(
    retrieve=extend_schema(responses={200: GateSerializer, **errors(404)}),
    partial_update=extend_schema(responses={200: GateSerializer, **errors(400, 401, 403, 404)}),
)
@extend_schema(tags=["configuration"])
class GateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Gates with their quorum, reviewer pool (empty pool: every reviewer) and the days
    after which the clock reminds reviewers of an open review (0: never), and the verified
    reuses by organisations outside the team that a computed reuse criterion needs."""

    queryset = Gate.objects.prefetch_related("reviewers").order_by("id")
    serializer_class = GateSerializer
    permission_classes = [CuratorWrites]
    schema = PublicReadSchema()
    pagination_class = None
    http_method_names = ["get", "patch", "head", "options"]

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = configuration.configure_gate(
            by=self.request.user,
            gate=serializer.instance,
            quorum=data.get("quorum"),
            reviewers=data.get("reviewers"),
            reminder_days=data.get("reminder_days"),
            reuses_required=data.get("reuses_required"),
        )
