from django.contrib import admin

from projects.admin import ReadOnlyAdmin

from .models import (
    ChecklistChange,
    ChecklistItem,
    Criterion,
    Decision,
    Gate,
    GateReview,
    StageTransition,
)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["position", "code", "principle", "level", "evidence", "title_fr", "active"]
    show_change_link = True


@admin.register(Gate)
class GateAdmin(admin.ModelAdmin):
    """Curators set each gate's quorum, reviewer pool and reminder delay here."""

    list_display = ["stage", "quorum", "reminder_days"]
    filter_horizontal = ["reviewers"]
    readonly_fields = ["stage"]
    inlines = [CriterionInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    """Edits apply to checklists handed out afterwards; answered items keep their copy of
    whether the criterion was required."""

    list_display = ["code", "gate", "principle", "level", "evidence", "active"]
    list_filter = ["gate", "principle", "level", "active"]
    search_fields = ["code", "title_fr", "title_en"]


@admin.register(StageTransition)
class StageTransitionAdmin(ReadOnlyAdmin):
    list_display = ["project", "name", "from_stage", "to_stage", "actor", "at"]
    list_filter = ["name", "to_stage"]


@admin.register(GateReview)
class GateReviewAdmin(ReadOnlyAdmin):
    list_display = ["project", "gate", "status", "opened_at", "closed_at"]
    list_filter = ["status", "gate"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["review", "reviewer", "verdict", "at"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ReadOnlyAdmin):
    list_display = ["project", "criterion", "status", "updated_at"]
    list_filter = ["status", "criterion__gate"]


@admin.register(ChecklistChange)
class ChecklistChangeAdmin(ReadOnlyAdmin):
    list_display = ["item", "from_status", "to_status", "actor", "at"]
