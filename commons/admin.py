"""The reuse registry and the renewals, read-only: every change goes through
``commons.services`` (verification, confirmation, votes), which lock the project, keep the
history and recompute the commons gate's reuse criterion; the admin offers none of it."""

from django.contrib import admin

from projects.admin import ReadOnlyAdmin

from .models import Commons, RenewalReview, RenewalVote, Reuse, ReuseEvent


class HistoryInline(admin.TabularInline):
    """A record's append-only history, shown under it."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReuseEventInline(HistoryInline):
    model = ReuseEvent
    fields = readonly_fields = ["action", "actor", "note", "at"]


class RenewalVoteInline(HistoryInline):
    model = RenewalVote
    fields = readonly_fields = ["reviewer", "outcome", "rationale", "recovery_due", "at"]


@admin.register(Reuse)
class ReuseAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "project", "territory", "kind", "status", "declared_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["project", "territory"]
    search_fields = ["organisation", "siret", "organisation_uri", "project__title"]
    inlines = [ReuseEventInline]


@admin.register(ReuseEvent)
class ReuseEventAdmin(ReadOnlyAdmin):
    list_display = ["reuse", "action", "actor", "at"]
    list_filter = ["action"]
    list_select_related = ["reuse", "actor"]
    search_fields = ["reuse__organisation", "reuse__project__title"]


@admin.register(Commons)
class CommonsAdmin(ReadOnlyAdmin):
    list_display = ["project", "status", "renewal_due", "recovery_due", "since"]
    list_filter = ["status"]
    list_select_related = ["project"]
    search_fields = ["project__title"]


@admin.register(RenewalReview)
class RenewalReviewAdmin(ReadOnlyAdmin):
    list_display = ["project", "reason", "status", "outcome", "opened_at", "decided_at"]
    list_filter = ["status", "outcome", "reason"]
    list_select_related = ["project"]
    search_fields = ["project__title"]
    inlines = [RenewalVoteInline]


@admin.register(RenewalVote)
class RenewalVoteAdmin(ReadOnlyAdmin):
    list_display = ["review", "reviewer", "outcome", "at"]
    list_filter = ["outcome"]
    list_select_related = ["review__project", "reviewer"]
    search_fields = ["review__project__title", "reviewer__username"]
