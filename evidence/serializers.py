from rest_framework import serializers

from projects.api_support import RejectUnknownFields

from .checks import CHOICES
from .models import CheckResult, Exemption, RepositoryScan


class CheckResultSerializer(serializers.ModelSerializer):
    check = serializers.CharField(source="check_code")

    class Meta:
        model = CheckResult
        fields = ["check", "outcome", "value", "path", "line", "commit"]


class RepositoryScanSerializer(serializers.ModelSerializer):
    results = CheckResultSerializer(many=True, read_only=True)

    class Meta:
        model = RepositoryScan
        fields = [
            "id",
            "project",
            "url",
            "status",
            "trigger",
            "commit",
            "committed_at",
            "requested_at",
            "started_at",
            "finished_at",
            "refusal_code",
            "refusal_reason",
            "results",
        ]


class ExemptionSerializer(serializers.ModelSerializer):
    check = serializers.CharField(source="check_code")
    declared_by = serializers.CharField(source="declared_by.username", default=None)

    class Meta:
        model = Exemption
        fields = ["check", "reason", "declared_by", "declared_at"]


class ExemptionInputSerializer(RejectUnknownFields, serializers.Serializer):
    check = serializers.ChoiceField(choices=CHOICES)
    reason = serializers.CharField(max_length=2000)


class OverrideSerializer(serializers.Serializer):
    checks = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField()
    by = serializers.CharField(source="by.username", default=None)
    at = serializers.DateTimeField()
    scan = serializers.IntegerField(source="scan_id")


class EvidenceEntrySerializer(serializers.Serializer):
    scan = serializers.IntegerField()
    check = serializers.CharField()
    label = serializers.CharField()
    outcome = serializers.CharField(allow_null=True)
    text = serializers.CharField()
    path = serializers.CharField()
    line = serializers.IntegerField(allow_null=True)
    commit = serializers.CharField()
    url = serializers.CharField()
    scanned_at = serializers.DateTimeField(allow_null=True)
    exemption = serializers.CharField()


class ItemEvidenceSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    criterion = serializers.CharField()
    checks = EvidenceEntrySerializer(many=True)
    blocking = serializers.ListField(child=serializers.CharField())
    override = OverrideSerializer(allow_null=True)
