"""What every API view shares: pagination and the JSON error format of DESIGN.md."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import ServiceError


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        """A ``page_size`` that is not a positive integer is a 400, not silently the default
        (DRF's own behaviour); above ``max_page_size`` it is capped."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise exceptions.ValidationError(
                {self.page_size_query_param: ["Un entier positif est attendu."]}
            )
        return min(int(raw), self.max_page_size)


def exception_handler(exc, context):
    """``{"detail": ..., "code": ...}`` for every error, with ``errors`` for field errors
    and ``blockers`` for refused transitions."""
    if isinstance(exc, ServiceError):
        body = {"detail": str(exc.detail), "code": exc.code, **exc.extra}
        headers = {}
        if "retry_after" in exc.extra:
            headers["Retry-After"] = str(exc.extra["retry_after"])
        return Response(body, status=exc.status, headers=headers)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {
            "detail": "Certains champs sont invalides.",
            "code": "invalid",
            "errors": errors,
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"detail": str(detail), "code": code}
    return response


class ErrorSerializer(serializers.Serializer):
    """The shape of every error answer (for the OpenAPI schema)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    blockers = serializers.ListField(child=serializers.DictField(), required=False)
    retry_after = serializers.IntegerField(required=False)


class RejectUnknownFields:
    """Serializer mixin: a field the endpoint does not know is a 400, not silently ignored."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - {name for name, f in self.fields.items() if not f.read_only}
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Champ inconnu."] for name in sorted(unknown)}
                )
        return super().to_internal_value(data)


def page_of(name: str, item, **extra) -> serializers.Serializer:
    """The schema of a paginated answer of ``item``."""
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
            **extra,
        },
    )
