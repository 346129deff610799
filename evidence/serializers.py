from rest_framework import serializers

from .models import CheckResult, RepositoryScan


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
            "commit",
            "committed_at",
            "started_at",
            "finished_at",
            "refusal_code",
            "refusal_reason",
            "results",
        ]
