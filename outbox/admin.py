from django.contrib import admin, messages

from .models import Item, Message, Recipient
from .tasks import retry_failed_messages


class ItemInline(admin.TabularInline):
    model = Item
    fields = ["kind", "project_title", "text", "url", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Every e-mail and its attempts; failed ones can be retried from the list."""

    list_display = ["id", "recipient", "frequency", "period", "status", "attempts", "created_at"]
    list_filter = ["status", "frequency"]
    search_fields = ["recipient__username", "recipient__email", "last_error"]
    readonly_fields = [f.name for f in Message._meta.fields]
    inlines = [ItemInline]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Réessayer les messages en échec")
    def retry(self, request, queryset):
        count = retry_failed_messages(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} message(s) remis en file.", messages.SUCCESS)


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):
    list_display = ["user", "language"]
    list_filter = ["language"]
