from django.contrib import admin

from projects.admin import ReadOnlyAdmin

from .models import Presence


@admin.register(Presence)
class PresenceAdmin(ReadOnlyAdmin):
    list_display = ["project", "user", "seen_at"]
