"""API shapes of projects and teams. Input and output serializers are kept apart: input
serializers only validate (services write), output serializers only read."""

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Case, When
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import access
from .api_support import RejectUnknownFields
from .models import (
    Membership,
    Project,
    Role,
    Territory,
    Theme,
)

User = get_user_model()

# The most themes and territories one project may name: enough for a national project
# (18 regions and then some), small enough to keep one request cheap.
MAX_THEMES = 20
MAX_TERRITORIES = 120


class StrictSerializer(RejectUnknownFields, serializers.Serializer):
    """Refuses unknown fields, and values of the wrong JSON type: DRF alone would turn the
    number 12 into the title "12"."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            wrong = {}
            for name, field in self.fields.items():
                value = data.get(name)
                if value is None or field.read_only:
                    continue
                if isinstance(field, serializers.CharField | serializers.ChoiceField):
                    if not isinstance(value, str):
                        wrong[name] = [gettext_lazy("Une chaîne de caractères est attendue.")]
                elif isinstance(field, serializers.IntegerField) and (
                    isinstance(value, bool) or not isinstance(value, int)
                ):
                    wrong[name] = [gettext_lazy("Un nombre entier est attendu.")]
            if wrong:
                raise serializers.ValidationError(wrong)
        return super().to_internal_value(data)


class CodesField(serializers.Field):
    """A list of codes of a reference table (themes by slug, territories by code), resolved
    in one query. Unknown codes are listed in the error; duplicates collapse."""

    default_error_messages = {
        "not_a_list": gettext_lazy("Une liste de codes est attendue."),
        "too_many": gettext_lazy("Au plus {limit} éléments."),
        "unknown": gettext_lazy("Code inconnu : {codes}."),
    }

    def __init__(self, *, model, code_field: str, max_items: int, **kwargs):
        self.model = model
        self.code_field = code_field
        self.max_items = max_items
        self.code_length = model._meta.get_field(code_field).max_length
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, list) or not all(isinstance(code, str) for code in data):
            self.fail("not_a_list")
        codes = list(dict.fromkeys(data))
        if len(codes) > self.max_items:
            self.fail("too_many", limit=self.max_items)
        well_formed = [code for code in codes if 0 < len(code) <= self.code_length]
        found = {
            getattr(obj, self.code_field): obj
            for obj in self.model.objects.filter(**{f"{self.code_field}__in": well_formed})
        }
        unknown = [code for code in codes if code not in found]
        if unknown:
            self.fail("unknown", codes=", ".join(unknown[:10]))
        return [found[code] for code in codes]

    def to_representation(self, value):
        return [getattr(obj, self.code_field) for obj in value.all()]


extend_schema_field({"type": "array", "items": {"type": "string"}})(CodesField)


@extend_schema_field(
    {"oneOf": [{"type": "string", "format": "uri"}, {"type": "string", "maxLength": 0}]}
)
class OptionalURLField(serializers.URLField):
    """A web address, or the empty string for none."""


class ProjectInputSerializer(StrictSerializer, serializers.ModelSerializer):
    """What a team may write about its project. Limits come from the model."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.URLField: OptionalURLField,
    }

    themes = CodesField(model=Theme, code_field="slug", max_items=MAX_THEMES, required=False)
    territories = CodesField(
        model=Territory, code_field="code", max_items=MAX_TERRITORIES, required=False
    )

    class Meta:
        model = Project
        fields = [
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
        ]
        extra_kwargs = {"title": {"trim_whitespace": True}, "summary": {"trim_whitespace": True}}


class MemberInputSerializer(StrictSerializer):
    user = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)


class RoleInputSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=Role.choices)


class ThemeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, source="__str__")

    class Meta:
        model = Theme
        fields = ["slug", "name", "name_fr", "name_en"]


class TerritorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Territory
        fields = ["code", "name", "kind"]


class PersonSerializer(serializers.ModelSerializer):
    """A person as others see them: no e-mail."""

    name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name"]

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


class MembershipSerializer(serializers.ModelSerializer):
    user = PersonSerializer(read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = ["user", "role", "role_label", "created_at"]


def team_queryset():
    """Memberships as the API lists them: owners first, then by arrival."""
    owners_first = Case(When(role=Role.OWNER, then=0), default=1)
    return Membership.objects.select_related("user").order_by(owners_first, "created_at", "id")


class MyMembershipSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="project_id")
    title = serializers.CharField(source="project.title")

    class Meta:
        model = Membership
        fields = ["project", "title", "role"]


class MeSerializer(PersonSerializer):
    """The signed-in person, their platform roles (group names) and their teams."""

    roles = serializers.SerializerMethodField()
    sees_everything = serializers.SerializerMethodField()
    memberships = MyMembershipSerializer(many=True, read_only=True)

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "email", "roles", "sees_everything", "memberships"]

    def get_roles(self, user) -> list[str]:
        return sorted(group.name for group in user.groups.all())

    def get_sees_everything(self, user) -> bool:
        return access.can_see_everything(user)
