"""Output serializers of the workflow (also the ``data`` of its live events) and the input
serializers of its endpoints, kept apart."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects import access
from projects.api_support import RejectUnknownFields
from projects.models import MAX_NOTE, MAX_TEXT, MAX_URL, Hold, Project, Stage
from projects.serializers import (
    MembershipSerializer,
    PersonSerializer,
    ProjectInputSerializer,
    StrictSerializer,
    TerritorySerializer,
    ThemeSerializer,
    team_queryset,
)

from .models import (
    ChecklistChange,
    ChecklistItem,
    Condition,
    Criterion,
    Decision,
    Gate,
    GateReview,
    ItemStatus,
    Lesson,
    StageTransition,
)

User = get_user_model()


class CriterionSerializer(RejectUnknownFields, serializers.ModelSerializer):
    gate = serializers.SlugRelatedField(slug_field="stage", queryset=Gate.objects.all())

    class Meta:
        model = Criterion
        fields = [
            "id",
            "gate",
            "code",
            "principle",
            "title_fr",
            "title_en",
            "guidance_fr",
            "guidance_en",
            "level",
            "evidence",
            "position",
            "active",
            "computed",
        ]


class CriterionSummarySerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    guidance = serializers.CharField(read_only=True)
    gate = serializers.CharField(source="gate.stage", read_only=True)

    class Meta:
        model = Criterion
        fields = ["code", "gate", "principle", "title", "guidance", "level", "evidence", "computed"]


class GateSerializer(RejectUnknownFields, serializers.ModelSerializer):
    reviewers = serializers.PrimaryKeyRelatedField(
        many=True, queryset=User.objects.filter(is_active=True), required=False
    )

    class Meta:
        model = Gate
        fields = ["id", "stage", "quorum", "reviewers", "reminder_days", "reuses_required"]
        read_only_fields = ["id", "stage"]


class ChecklistItemSerializer(serializers.ModelSerializer):
    criterion = CriterionSummarySerializer(read_only=True)
    updated_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ChecklistItem
        fields = [
            "id",
            "project",
            "criterion",
            "required",
            "status",
            "evidence_url",
            "evidence_text",
            "justification",
            "na_accepted",
            "review_note",
            "updated_by",
            "updated_at",
        ]


class ChecklistChangeSerializer(serializers.ModelSerializer):
    actor = PersonSerializer(read_only=True, allow_null=True)
    criterion = serializers.CharField(source="item.criterion.code", read_only=True)

    class Meta:
        model = ChecklistChange
        fields = ["id", "item", "criterion", "actor", "from_status", "to_status", "note", "at"]


class DecisionSerializer(serializers.ModelSerializer):
    reviewer = PersonSerializer(read_only=True)
    conditions = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "review", "reviewer", "verdict", "rationale", "conditions", "at"]


class ConditionSerializer(serializers.ModelSerializer):
    """A condition of an approval, with its outcome once closed."""

    owner = PersonSerializer(read_only=True)
    closed_by = PersonSerializer(read_only=True, allow_null=True)
    criterion = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    gate = serializers.CharField(source="review.gate.stage", read_only=True)

    class Meta:
        model = Condition
        fields = [
            "id",
            "project",
            "review",
            "gate",
            "criterion",
            "text",
            "owner",
            "due_on",
            "created_at",
            "status",
            "closed_at",
            "closed_by",
            "note",
        ]


class HoldSerializer(serializers.ModelSerializer):
    """A hold, proposed, in force or lifted, with the reviewers who backed it."""

    proposed_by = PersonSerializer(read_only=True)
    lifted_by = PersonSerializer(read_only=True, allow_null=True)
    status = serializers.CharField(read_only=True)
    backers = serializers.SerializerMethodField()
    lift_backers = serializers.SerializerMethodField()

    class Meta:
        model = Hold
        fields = [
            "id",
            "project",
            "stage",
            "status",
            "reason",
            "revisit_on",
            "proposed_by",
            "proposed_at",
            "placed_at",
            "backers",
            "lifted_at",
            "lifted_by",
            "lift_note",
            "lift_backers",
        ]

    def _backers(self, hold, act) -> list[str]:
        return [b.reviewer.get_username() for b in hold.backings.all() if b.act == act]

    def get_backers(self, hold) -> list[str]:
        return self._backers(hold, "place")

    def get_lift_backers(self, hold) -> list[str]:
        return self._backers(hold, "lift")


class LessonSerializer(serializers.ModelSerializer):
    """The public lesson of a composted project."""

    author = PersonSerializer(read_only=True, allow_null=True)
    project_title = serializers.CharField(source="project.title", read_only=True)
    stage = serializers.CharField(source="transition.from_stage", read_only=True)
    links = serializers.ListField(child=serializers.URLField(), read_only=True)

    class Meta:
        model = Lesson
        fields = [
            "id",
            "project",
            "project_title",
            "stage",
            "tried",
            "worked",
            "failed",
            "reusable",
            "links",
            "author",
            "at",
        ]


class GateReviewSerializer(serializers.ModelSerializer):
    gate = serializers.CharField(source="gate.stage", read_only=True)
    quorum = serializers.IntegerField(source="gate.quorum", read_only=True)
    opened_by = PersonSerializer(read_only=True, allow_null=True)
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = GateReview
        fields = [
            "id",
            "project",
            "gate",
            "quorum",
            "status",
            "opened_by",
            "opened_at",
            "closed_at",
            "decisions",
        ]


class StageTransitionSerializer(serializers.ModelSerializer):
    actor = PersonSerializer(read_only=True, allow_null=True)
    # In the reader's language: what the system said (``said``, a code), or what was typed.
    rationale = serializers.CharField(source="rationale_text", read_only=True)

    class Meta:
        model = StageTransition
        fields = [
            "id",
            "project",
            "name",
            "from_stage",
            "to_stage",
            "actor",
            "at",
            "review",
            "rationale",
            "said",
            "checklist",
        ]


class BlockerSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    criteria = serializers.ListField(child=serializers.CharField(), required=False)
    missing = serializers.IntegerField(required=False)
    # Usernames of team members whose votes no longer count (conflict of interest).
    discounted = serializers.ListField(child=serializers.CharField(), required=False)


class TransitionOptionSerializer(serializers.Serializer):
    name = serializers.CharField()
    allowed = serializers.BooleanField()
    rationale_required = serializers.BooleanField()
    blockers = BlockerSerializer(many=True)


# Input


class ItemUpdateSerializer(StrictSerializer):
    status = serializers.ChoiceField(
        choices=[
            ItemStatus.ATTESTED,
            ItemStatus.NOT_APPLICABLE,
            ItemStatus.VERIFIED,
            ItemStatus.REJECTED,
        ]
    )
    evidence_url = serializers.URLField(max_length=MAX_URL, required=False, allow_blank=True)
    evidence_text = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    justification = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True)
    note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True)


class RationaleSerializer(StrictSerializer):
    rationale = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)


class TransitionInputSerializer(RationaleSerializer):
    """``rationale`` for every manual transition; ``criteria`` (codes to rework) for
    ``send_back``; the lesson's parts for ``compost``."""

    criteria = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=50
    )
    tried = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    worked = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    failed = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    reusable = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    links = serializers.ListField(
        child=serializers.URLField(max_length=MAX_URL), required=False, max_length=10
    )


class ConditionInputSerializer(StrictSerializer):
    text = serializers.CharField(max_length=MAX_NOTE)
    owner = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    due_on = serializers.DateField()
    criterion = serializers.CharField(max_length=60, required=False, allow_null=True)


class DecisionInputSerializer(StrictSerializer):
    verdict = serializers.ChoiceField(choices=Decision.Verdict.choices)
    rationale = serializers.CharField(max_length=MAX_TEXT)
    conditions = ConditionInputSerializer(many=True, required=False, max_length=10)


class HoldInputSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True)
    revisit_on = serializers.DateField(required=False, allow_null=True)


class NoteSerializer(StrictSerializer):
    note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True)


class EmptySerializer(StrictSerializer):
    pass


class PermissionsSerializer(serializers.Serializer):
    """What the requesting person may do on the project now."""

    edit = serializers.BooleanField()
    manage_team = serializers.BooleanField()
    delete = serializers.BooleanField()
    archive = serializers.BooleanField()
    reopen = serializers.BooleanField()
    review = serializers.BooleanField()
    comment = serializers.BooleanField()


class ProjectUrlsSerializer(serializers.Serializer):
    self = serializers.CharField()
    members = serializers.CharField()


class ProjectSerializer(serializers.ModelSerializer):
    """A project as the API shows it, with its team and what the reader may do.

    Views pass ``abilities`` (an :class:`access.Abilities` for the page) in the context and a
    queryset prepared with :meth:`prefetch`.
    """

    serializer_field_mapping = ProjectInputSerializer.serializer_field_mapping
    themes = ThemeSerializer(many=True, read_only=True)
    territories = TerritorySerializer(many=True, read_only=True)
    team = MembershipSerializer(many=True, read_only=True, source="memberships")
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    next_stage = serializers.ChoiceField(choices=Stage.choices, allow_null=True, read_only=True)
    visibility_label = serializers.CharField(source="get_visibility_display", read_only=True)
    urls = serializers.SerializerMethodField()
    permissions = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "summary",
            "problem",
            "public_served",
            "themes",
            "territories",
            "origin",
            "repository_url",
            "website_url",
            "licence",
            "visibility",
            "visibility_label",
            "stage",
            "stage_label",
            "next_stage",
            "stage_changed_at",
            "team",
            "urls",
            "permissions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @staticmethod
    def prefetch(queryset):
        """Everything the serializer reads, in a fixed number of queries per page."""
        return queryset.prefetch_related(
            "themes",
            "territories",
            Prefetch("memberships", queryset=team_queryset()),
        )

    @extend_schema_field(ProjectUrlsSerializer)
    def get_urls(self, project) -> dict[str, str]:
        return {
            "self": reverse("project-detail", args=[project.pk]),
            "members": reverse("project-members", args=[project.pk]),
        }

    @extend_schema_field(PermissionsSerializer)
    def get_permissions(self, project) -> dict[str, bool]:
        abilities = self.context.get("abilities")
        if abilities is None:
            abilities = access.Abilities(self.context["request"].user, [project])
        return abilities.for_project(project)
