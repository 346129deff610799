from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.api_support import RejectUnknownFields
from projects.errors import Invalid
from projects.events import TYPES

from .models import Attempt, Delivery, Endpoint
from .services import check_event_types


@extend_schema_field(
    {"type": "array", "items": {"type": "string", "enum": list(TYPES)}, "minItems": 1}
)
class EventTypesField(serializers.Field):
    """A non-empty list of the stream's types; refused with one flat list of messages (the
    error format's ``errors`` holds lists of strings)."""

    def to_internal_value(self, data):
        try:
            return check_event_types(data)
        except Invalid as error:
            raise serializers.ValidationError(error.extra["errors"]["event_types"]) from None

    def to_representation(self, value):
        return list(value)


class EndpointSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    project = serializers.IntegerField(source="project_id", allow_null=True, read_only=True)
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=TYPES))
    active = serializers.BooleanField(read_only=True)
    previous_secret_until = serializers.SerializerMethodField(
        help_text=_("Pendant une rotation, l'ancien secret signe aussi jusqu'à cette date.")
    )

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "project",
            "owner",
            "status",
            "active",
            "disabled_reason",
            "disabled_at",
            "previous_secret_until",
            "created_at",
            "updated_at",
        ]

    def get_previous_secret_until(self, endpoint) -> str | None:
        until = endpoint.previous_until
        if endpoint.previous_secret and until and until > timezone.now():
            return serializers.DateTimeField().to_representation(until)
        return None


class NewSecretSerializer(EndpointSerializer):
    secret = serializers.CharField(
        help_text=_("Le secret de signature (whsec_…), montré cette fois seulement.")
    )

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]


class EndpointInputSerializer(RejectUnknownFields, serializers.Serializer):
    url = serializers.CharField(max_length=500, help_text=_("Une adresse https:// publique."))
    event_types = EventTypesField()
    project = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("Le projet suivi ; absent ou null : tout le portefeuille (curateurs)."),
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class EndpointPatchSerializer(RejectUnknownFields, serializers.Serializer):
    url = serializers.CharField(max_length=500, required=False)
    event_types = EventTypesField(required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class AttemptSerializer(serializers.ModelSerializer):
    error_text = serializers.CharField(read_only=True)

    class Meta:
        model = Attempt
        fields = [
            "at",
            "duration_ms",
            "status_code",
            "error",
            "error_text",
            "detail",
            "response",
            "truncated",
            "manual",
        ]


class DeliverySerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="lane.project_id")
    attempt_log = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "message_id",
            "type",
            "project",
            "seq",
            "status",
            "attempts",
            "next_attempt_at",
            "first_attempt_at",
            "finished_at",
            "last_status_code",
            "last_error",
            "created_at",
            "attempt_log",
        ]


class EventTypeSerializer(serializers.Serializer):
    type = serializers.CharField()
    label = serializers.CharField()
