from django.contrib import admin
from django.core.exceptions import ValidationError

from projects.admin import _message
from projects.errors import ServiceError

from . import services as comment_services
from .models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Moderation through the thread's services: an edited body is rendered again and sent
    as ``comment.updated``; deleting leaves a tombstone and sends ``comment.deleted``."""

    list_display = ["id", "project", "author", "created_at", "deleted_at"]
    search_fields = ["body"]
    fields = ["project", "author", "body", "body_html", "created_at", "edited_at", "deleted_at"]
    readonly_fields = ["project", "author", "body_html", "created_at", "edited_at", "deleted_at"]

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_deleted:
            return [*self.readonly_fields, "body"]
        return self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        def clean_body(self):
            try:
                return comment_services.clean_body(self.cleaned_data["body"])
            except ServiceError as error:
                raise ValidationError(_message(error)) from None

        if "body" in form.base_fields:
            form.clean_body = clean_body
        return form

    def save_model(self, request, obj, form, change):
        if "body" in form.changed_data:
            comment_services.edit_comment(by=request.user, comment=obj.pk, body=obj.body)

    def delete_model(self, request, obj):
        if not obj.is_deleted:
            comment_services.delete_comment(by=request.user, comment=obj.pk)

    def delete_queryset(self, request, queryset):
        for comment in queryset.filter(deleted_at__isnull=True):
            comment_services.delete_comment(by=request.user, comment=comment.pk)
