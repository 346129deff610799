"""API of the comment threads and the event stream.

Views only parse input, call services or access functions, and shape output; every error is
a domain error turned into JSON by ``api_support.exception_handler``.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from projects import access, events
from projects.api import errors
from projects.api_support import ErrorSerializer, Pagination, page_of
from projects.errors import Invalid, NotFound
from projects.inputs import MAX_ID, parse_seq

from . import access as discussion_access
from .models import Comment
from .services import (
    EDIT_FIELDS,
    comment_data,
    comment_input,
    delete_comment,
    edit_comment,
    post_comment,
)

EVENTS_PAGE = 500
RATE_LIMITED = {
    429: OpenApiResponse(
        ErrorSerializer,
        description=_l("Trop de messages : `retry_after` (et l'en-tête Retry-After) en secondes."),
    )
}


class CommentOutput(serializers.Serializer):
    """Documents the shape of ``comments.comment_data``."""

    id = serializers.IntegerField()
    project = serializers.IntegerField()
    author = inline_serializer(
        "CommentAuthor",
        {
            "id": serializers.IntegerField(),
            "username": serializers.CharField(),
            "name": serializers.CharField(),
        },
        allow_null=True,
    )
    body = serializers.CharField(help_text="Markdown source; empty on a tombstone.")
    html = serializers.CharField(help_text="Rendered and sanitised HTML, safe to display.")
    parent = serializers.IntegerField(allow_null=True)
    checklist_item = serializers.IntegerField(allow_null=True)
    review = serializers.IntegerField(allow_null=True)
    client_id = serializers.CharField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    deleted = serializers.BooleanField()
    deleted_at = serializers.DateTimeField(allow_null=True)
    moderated = serializers.BooleanField()


class CommentInput(serializers.Serializer):
    body = serializers.CharField(help_text="Markdown.")
    parent = serializers.IntegerField(required=False, allow_null=True)
    checklist_item = serializers.IntegerField(required=False, allow_null=True)
    review = serializers.IntegerField(required=False, allow_null=True)
    client_id = serializers.CharField(
        required=False, help_text="Makes a retried post idempotent (same author)."
    )


class CommentEditInput(serializers.Serializer):
    body = serializers.CharField()


class CommentListView(APIView):
    """``GET|POST /api/projects/{id}/comments/``: the thread, oldest first, tombstones
    included; posting answers 201, or 200 with the first comment for a retried client_id."""

    @extend_schema(responses={200: page_of("CommentPage", CommentOutput), **errors(400, 404)})
    def get(self, request, pk):
        project = access.access_project(request.user, pk)
        comments = Comment.objects.filter(project=project).select_related("author")
        paginator = Pagination()
        page = paginator.paginate_queryset(comments, request, view=self)
        return paginator.get_paginated_response([comment_data(c) for c in page])

    @extend_schema(
        request=CommentInput,
        responses={
            201: CommentOutput,
            200: CommentOutput,
            **errors(400, 401, 403, 404, 409),
            **RATE_LIMITED,
        },
    )
    def post(self, request, pk):
        project = access.access_project(request.user, pk)
        access.require(access.can_comment(request.user, project), request.user)
        fields = comment_input(request.data)
        comment, created = post_comment(by=request.user, project=pk, **fields)
        return Response(
            comment_data(comment), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class CommentDetailView(APIView):
    """``GET|PATCH|DELETE /api/comments/{id}/``: authors edit and delete their own comments,
    curators moderate any; deleting leaves a tombstone."""

    @extend_schema(responses={200: CommentOutput, **errors(404)})
    def get(self, request, pk):
        return Response(comment_data(discussion_access.access_comment(request.user, pk)))

    @extend_schema(
        request=CommentEditInput, responses={200: CommentOutput, **errors(400, 401, 403, 404, 409)}
    )
    def patch(self, request, pk):
        comment = Comment.objects.filter(pk=pk).first()
        if comment is None:
            raise NotFound()
        access.access_project(request.user, comment.project_id)
        access.require(discussion_access.can_change_comment(request.user, comment), request.user)
        fields = comment_input(request.data, EDIT_FIELDS)
        return Response(comment_data(edit_comment(by=request.user, comment=pk, **fields)))

    @extend_schema(responses={204: None, **errors(401, 403, 404, 409)})
    def delete(self, request, pk):
        delete_comment(by=request.user, comment=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EventListView(APIView):
    """``GET /api/projects/{id}/events/?after=<seq>``: the events after ``seq`` in order
    (at most 500; ``has_more`` says to ask again from the last one)."""

    @extend_schema(
        parameters=[
            inline_serializer(
                "EventQuery",
                {"after": serializers.IntegerField(required=False, min_value=0, max_value=MAX_ID)},
            )
        ],
        responses={
            200: inline_serializer(
                "EventPage",
                {
                    "results": serializers.ListField(child=serializers.DictField()),
                    "last_seq": serializers.IntegerField(),
                    "has_more": serializers.BooleanField(),
                },
            ),
            **errors(400, 404),
        },
    )
    def get(self, request, pk):
        project = access.access_project(request.user, pk)
        after = parse_seq(request.query_params.get("after", "0"))
        if after is None:
            raise Invalid({"after": [_("Un entier positif ou nul est attendu.")]})
        batch = events.events_after(project.pk, after, EVENTS_PAGE + 1)
        return Response(
            {
                "results": [events.payload(event) for event in batch[:EVENTS_PAGE]],
                "last_seq": project.event_seq,
                "has_more": len(batch) > EVENTS_PAGE,
            }
        )
