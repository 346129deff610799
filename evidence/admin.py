from django.contrib import admin

from .models import CheckMapping, CheckResult, Exemption, Override, RepositoryScan


@admin.register(CheckMapping)
class CheckMappingAdmin(admin.ModelAdmin):
    """Curators choose which checks show beside which criteria."""

    list_display = ["criterion", "check_code", "position"]
    list_filter = ["check_code", "criterion__gate"]


class ReadOnly(admin.ModelAdmin):
    """Scans are evidence: readable, never edited or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CheckResultInline(admin.TabularInline):
    model = CheckResult
    extra = 0
    can_delete = False
    readonly_fields = ["check_code", "outcome", "value", "path", "line", "commit"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RepositoryScan)
class RepositoryScanAdmin(ReadOnly):
    list_display = ["project", "status", "trigger", "commit", "requested_at", "finished_at"]
    list_filter = ["status"]
    inlines = [CheckResultInline]


@admin.register(Exemption)
class ExemptionAdmin(admin.ModelAdmin):
    list_display = ["project", "check_code", "declared_by", "declared_at"]


@admin.register(Override)
class OverrideAdmin(ReadOnly):
    """A reviewer's note for verifying an item whose required check failed."""

    list_display = ["project", "item", "checks", "by", "at"]
