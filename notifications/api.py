"""API of a person's notifications and their preferences."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from outbox.models import Frequency
from projects import access
from projects.api import errors
from projects.api_support import Pagination, page_of
from projects.errors import Invalid
from projects.inputs import only_fields

from .models import Notification
from .services import mark_read, preferences, set_preferences, unread_count


class NotificationOutput(serializers.ModelSerializer):
    # In the reader's language; ``code`` and ``params`` say what the system wrote, when it did.
    text = serializers.CharField(source="shown", read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "project",
            "actor",
            "text",
            "code",
            "params",
            "url",
            "created_at",
            "read_at",
        ]


class NotificationListView(APIView):
    """``GET /api/notifications/?unread=1``: the signed-in person's notifications, newest
    first, with the ``unread`` count."""

    @extend_schema(
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, required=False)],
        responses={
            200: page_of("NotificationPage", NotificationOutput, unread=serializers.IntegerField()),
            **errors(400, 401),
        },
    )
    def get(self, request):
        access.require(request.user.is_authenticated, request.user)
        rows = Notification.objects.filter(recipient=request.user)
        unread = request.query_params.get("unread", "")
        if unread not in {"", "1", "true", "0", "false"}:
            raise Invalid({"unread": [_("« true » ou « false » est attendu.")]})
        if unread in {"1", "true"}:
            rows = rows.filter(read_at__isnull=True)
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        response = paginator.get_paginated_response(NotificationOutput(page, many=True).data)
        response.data["unread"] = unread_count(request.user)
        return response


class NotificationReadView(APIView):
    """``POST /api/notifications/read/`` with ``{"ids": [...]}``, or ``{}`` for all."""

    @extend_schema(
        request=inline_serializer(
            "MarkRead",
            {"ids": serializers.ListField(child=serializers.IntegerField(), required=False)},
        ),
        responses={
            200: inline_serializer(
                "MarkedRead",
                {"marked": serializers.IntegerField(), "unread": serializers.IntegerField()},
            ),
            **errors(400, 401),
        },
    )
    def post(self, request):
        access.require(request.user.is_authenticated, request.user)
        fields = only_fields(request.data, {"ids"})
        marked = mark_read(by=request.user, ids=fields.get("ids"))
        return Response({"marked": marked, "unread": unread_count(request.user)})


class PreferenceOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Notification.Kind.choices)
    label = serializers.CharField()
    in_app = serializers.BooleanField()
    email = serializers.ChoiceField(choices=Frequency.choices)


class PreferenceView(APIView):
    """``GET|PATCH /api/notifications/preferences/``: one entry per kind; PATCH takes
    ``{kind: {"in_app": bool, "email": "immediate" | "daily" | "weekly" | "never"}}``;
    an unknown kind or value is a 400 and changes nothing."""

    @extend_schema(responses={200: PreferenceOutput(many=True), **errors(401)})
    def get(self, request):
        access.require(request.user.is_authenticated, request.user)
        return Response(preferences(request.user))

    @extend_schema(
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: PreferenceOutput(many=True), **errors(400, 401)},
    )
    def patch(self, request):
        return Response(set_preferences(by=request.user, choices=request.data))
