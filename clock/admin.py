from django.contrib import admin

from .models import Run, Schedule


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "last_period", "last_enqueued_at"]
    readonly_fields = ["name", "last_period", "last_enqueued_at"]


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ["schedule", "label", "period", "task_id", "enqueued_at"]
    list_filter = ["schedule"]
    readonly_fields = ["schedule", "label", "period", "task_id", "enqueued_at"]
