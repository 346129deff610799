"""Reuse registry and renewal endpoints. Views parse input, call a service or a read, and
serialise; every rule (identifiers, territories, who may verify or vote) is the services'."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from projects import access
from projects.api import errors
from projects.api_support import RejectUnknownFields
from projects.errors import Invalid, NotFound
from projects.models import Membership, Project

from . import read, services
from .models import RenewalStatus, Reuse
from .payloads import renewal_data, reuse_data


class ReuseInputSerializer(RejectUnknownFields, serializers.Serializer):
    organisation = serializers.CharField(max_length=200, allow_blank=True)
    siret = serializers.CharField(
        required=False, allow_blank=True, help_text="SIREN (9 digits) or SIRET (14 digits)"
    )
    organisation_uri = serializers.CharField(
        required=False, allow_blank=True, help_text="for a body without SIREN"
    )
    territory = serializers.CharField(help_text="INSEE code: département `44`, région `R52`")
    kind = serializers.ChoiceField(choices=Reuse.Kind.choices)
    version = serializers.CharField(required=False, allow_blank=True)
    instance_url = serializers.CharField(required=False, allow_blank=True)
    use_case = serializers.CharField(allow_blank=True)
    contact = serializers.CharField(allow_blank=True, help_text="an e-mail address")


class ReuseSerializer(serializers.Serializer):
    """A reuse as the API shows it; ``contact`` only to its declarer, the team, reviewers,
    funders and curators (null otherwise)."""

    id = serializers.IntegerField()
    project = serializers.IntegerField()
    organisation = serializers.CharField()
    siret = serializers.CharField()
    organisation_uri = serializers.CharField()
    territory = serializers.CharField()
    territory_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Reuse.Kind.choices)
    version = serializers.CharField()
    instance_url = serializers.CharField()
    use_case = serializers.CharField()
    status = serializers.ChoiceField(choices=Reuse.Status.choices)
    declared_by = serializers.CharField()
    declared_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    confirm_by = serializers.DateField(allow_null=True)
    note = serializers.CharField()
    counts = serializers.BooleanField(help_text="verified and declared outside the team")
    contact = serializers.CharField(allow_null=True)


def show(user, reuse: Reuse, *, team=None) -> dict:
    team = (
        team
        if team is not None
        else set(reuse.project.memberships.values_list("user_id", flat=True))
    )
    return {
        **reuse_data(reuse),
        "confirm_by": read.confirm_by(reuse),
        "counts": reuse.status == Reuse.Status.VERIFIED and reuse.declared_by_id not in team,
        "contact": reuse.contact if read.may_see_contact(user, reuse) else None,
    }


class NoteSerializer(RejectUnknownFields, serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=100_000)


class EmptySerializer(RejectUnknownFields, serializers.Serializer):
    pass


def _parsed(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


class ProjectReusesView(APIView):
    @extend_schema(
        tags=["reuses"],
        summary="A project's reuses",
        responses={200: ReuseSerializer(many=True), **errors(404)},
    )
    def get(self, request, pk):
        project = access.access_project(request.user, pk)
        team = set(project.memberships.values_list("user_id", flat=True))
        reuses = read.reuses_for(request.user, project)
        for reuse in reuses:
            reuse.project = project
        return Response([show(request.user, reuse, team=team) for reuse in reuses])

    @extend_schema(
        tags=["reuses"],
        summary="Declare that an organisation reuses this public project",
        description=(
            "Anyone signed in. A French body gives its SIREN or SIRET (checked with Luhn, "
            "La Poste's establishments by their own rule), another organisation its URI; "
            "the territory is an INSEE code the incubator knows. A reviewer outside the "
            "team then verifies or refuses it."
        ),
        request=ReuseInputSerializer,
        responses={201: ReuseSerializer, **errors(400, 401, 404, 409)},
        examples=[
            OpenApiExample(
                "Declare",
                request_only=True,
                value={
                    "organisation": "Commune de Plouguerneau",
                    "siret": "21290177100015",
                    "territory": "29",
                    "kind": "adapted",
                    "version": "v2.1",
                    "instance_url": "https://kit.plouguerneau.example.org/",
                    "use_case": "Ateliers numériques à la médiathèque.",
                    "contact": "mediatheque@plouguerneau.example.org",
                },
            )
        ],
    )
    def post(self, request, pk):
        project = access.access_project(request.user, pk)
        access.require(access.is_signed_in(request.user), request.user)
        if not isinstance(request.data, dict):
            raise Invalid({"non_field_errors": ["Un objet JSON est attendu."]})
        reuse = services.declare_reuse(by=request.user, project=project, **request.data)
        return Response(show(request.user, reuse), status=201)


class ReuseView(APIView):
    @extend_schema(
        tags=["reuses"],
        summary="One reuse with its history",
        responses={200: ReuseSerializer, **errors(404)},
    )
    def get(self, request, pk, reuse_id):
        reuse = read.access_reuse(request.user, reuse_id, project=pk)
        if not read.reuses_for(request.user, reuse.project).filter(pk=reuse.pk).exists():
            raise NotFound()
        history = [
            {
                "action": h.action,
                "actor": h.actor.get_username() if h.actor else None,
                "note": h.note,
                "at": h.at,
            }
            for h in reuse.history.select_related("actor")
        ]
        return Response({**show(request.user, reuse), "history": history})


def _reuse_action(name, summary, description, serializer, call):
    class View(APIView):
        @extend_schema(
            tags=["reuses"],
            summary=summary,
            description=description,
            request=serializer,
            responses={200: ReuseSerializer, **errors(400, 401, 403, 404, 409)},
            operation_id=f"reuse_{name}",
        )
        def post(self, request, pk, reuse_id):
            reuse = read.access_reuse(request.user, reuse_id, project=pk)
            reuse = call(request.user, reuse, _parsed(serializer, request))
            return Response(show(request.user, reuse))

    View.__name__ = f"Reuse{name.title()}View"
    return View


VerifyView = _reuse_action(
    "verify",
    "Verify a declared reuse (a reviewer outside the team)",
    "The team never verifies its own project's reuses (403 `conflict_of_interest`), nor "
    "the declarer their own declaration. Verifying may meet the commons gate's computed "
    "reuse criterion and advance the project.",
    NoteSerializer,
    lambda by, reuse, data: services.verify_reuse(by=by, reuse=reuse, note=data.get("note", "")),
)
RefuseView = _reuse_action(
    "refuse",
    "Refuse a declared reuse, with a note (a reviewer outside the team)",
    "",
    NoteSerializer,
    lambda by, reuse, data: services.refuse_reuse(by=by, reuse=reuse, note=data.get("note", "")),
)
ConfirmView = _reuse_action(
    "confirm",
    "Confirm that a verified reuse still holds (its declarer, yearly)",
    "Without it the reuse lapses a year after its verification or last confirmation.",
    EmptySerializer,
    lambda by, reuse, data: services.confirm_reuse(by=by, reuse=reuse),
)


MAX_LISTED = 1000  # the portfolio's reuses by territory: a bound, not a page


class ReusesView(APIView):
    @extend_schema(
        tags=["reuses"],
        summary="Reuses of the projects you may read, by territory",
        parameters=[
            OpenApiParameter("territory", str, description="INSEE code"),
            OpenApiParameter("status", str, enum=Reuse.Status.values),
        ],
        responses={200: ReuseSerializer(many=True), **errors(400)},
    )
    def get(self, request):
        projects = Project.objects.visible_to(request.user)
        reuses = (
            Reuse.objects.filter(project__in=projects)
            .exclude(status=Reuse.Status.REFUSED)
            .select_related("project", "territory", "declared_by")
            .order_by("territory_id", "-declared_at", "-id")
        )
        status = request.query_params.get("status", "")
        if status:
            if status not in Reuse.Status.values or status == Reuse.Status.REFUSED:
                raise Invalid({"status": ["Statut inconnu."]})
            reuses = reuses.filter(status=status)
        territory = request.query_params.get("territory", "")
        if territory:
            reuses = reuses.filter(territory_id=territory.upper())
        reuses = list(reuses[:MAX_LISTED])
        teams: dict[int, set] = {}
        members = Membership.objects.filter(project_id__in={r.project_id for r in reuses})
        for project_id, user_id in members.values_list("project_id", "user_id"):
            teams.setdefault(project_id, set()).add(user_id)
        return Response(
            [show(request.user, r, team=teams.get(r.project_id, set())) for r in reuses]
        )


# Renewals ---------------------------------------------------------------------------------


class CommonsStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RenewalStatus.choices)
    label = serializers.CharField()
    renewal_due = serializers.DateField()
    recovery_plan = serializers.CharField()
    recovery_due = serializers.DateField(allow_null=True)


class RenewalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.IntegerField()
    reason = serializers.CharField()
    status = serializers.CharField()
    outcome = serializers.CharField()
    opened_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    signals = serializers.DictField()
    votes = serializers.ListField(child=serializers.DictField())


class ProjectRenewalsSerializer(serializers.Serializer):
    commons = CommonsStatusSerializer(allow_null=True, help_text="null: not a commons")
    renewals = RenewalSerializer(many=True)


class VoteInputSerializer(RejectUnknownFields, serializers.Serializer):
    outcome = serializers.CharField()
    rationale = serializers.CharField(allow_blank=True, max_length=100_000)
    recovery_plan = serializers.CharField(required=False, allow_blank=True, max_length=100_000)
    recovery_due = serializers.CharField(required=False, allow_blank=True, max_length=20)


class ProjectRenewalsView(APIView):
    @extend_schema(
        tags=["renewals"],
        summary="A commons' renewal status and its renewal reviews",
        responses={200: ProjectRenewalsSerializer, **errors(404)},
    )
    def get(self, request, pk):
        project = access.access_project(request.user, pk)
        return Response(
            {
                "commons": read.commons_status(project),
                "renewals": [renewal_data(r) for r in project.renewals.all()],
            }
        )

    @extend_schema(
        tags=["renewals"],
        summary="Open a renewal review (a reviewer; the team of a commons at risk or dormant)",
        request=EmptySerializer,
        responses={201: RenewalSerializer, **errors(401, 403, 404, 409)},
    )
    def post(self, request, pk):
        project = access.access_project(request.user, pk)
        _parsed(EmptySerializer, request)
        review = services.open_renewal(by=request.user, project=project)
        return Response(renewal_data(review), status=201)


class RenewalView(APIView):
    @extend_schema(
        tags=["renewals"],
        summary="One renewal review with its signals and votes",
        responses={200: RenewalSerializer, **errors(404)},
    )
    def get(self, request, renewal_id):
        return Response(renewal_data(read.access_renewal(request.user, renewal_id)))


class RenewalVotesView(APIView):
    @extend_schema(
        tags=["renewals"],
        summary="Vote on a renewal review (reviewers of the commons gate, never the team)",
        description="`renewed`, `at_risk` (with `recovery_plan` and a future `recovery_due`) "
        "or `dormant`, with a rationale. When the commons gate's quorum agrees, the review is "
        "decided and the commons takes the outcome.",
        request=VoteInputSerializer,
        responses={201: RenewalSerializer, **errors(400, 401, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "At risk",
                request_only=True,
                value={
                    "outcome": "at_risk",
                    "rationale": "Plus de commit depuis huit mois.",
                    "recovery_plan": "Trouver une seconde équipe de maintenance.",
                    "recovery_due": "2027-06-30",
                },
            )
        ],
    )
    def post(self, request, renewal_id):
        review = read.access_renewal(request.user, renewal_id)
        data = _parsed(VoteInputSerializer, request)
        services.vote_renewal(by=request.user, review=review, **data)
        review.refresh_from_db()
        return Response(renewal_data(review), status=201)
