from django.contrib import admin

from .models import (
    Comment,
    Membership,
    Notification,
    NotificationPreference,
    Presence,
    Project,
    ProjectEvent,
    Territory,
    Theme,
)
from .permissions import sync_permissions


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """The stage is read-only here: stage changes go through the workflow services.
    Team edits in the inline re-derive the guardian permissions like the services do."""

    list_display = ["title", "stage", "visibility", "origin", "updated_at"]
    list_filter = ["stage", "visibility", "themes"]
    search_fields = ["title", "summary", "origin"]
    filter_horizontal = ["themes", "territories"]
    readonly_fields = ["stage", "stage_changed_at", "event_seq", "created_at", "updated_at"]
    inlines = [MembershipInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        sync_permissions(form.instance)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_fr", "name_en"]


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "author", "created_at", "deleted_at"]
    search_fields = ["body"]
    raw_id_fields = ["project", "author", "parent", "checklist_item", "review", "deleted_by"]
    readonly_fields = ["body_html"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit and event records: visible to curators, written only by the services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProjectEvent)
class ProjectEventAdmin(ReadOnlyAdmin):
    list_display = ["project", "seq", "type", "object_id", "at"]
    list_filter = ["type"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "kind", "project", "created_at", "read_at"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "in_app", "email"]
    list_filter = ["kind", "in_app", "email"]
    raw_id_fields = ["user"]


@admin.register(Presence)
class PresenceAdmin(ReadOnlyAdmin):
    list_display = ["project", "user", "seen_at"]
