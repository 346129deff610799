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

    def has_change_permission(self, request, obj=None):
        # Nothing is edited by hand; "change" is the right to retry (the action below).
        return False if obj is not None else super().has_change_permission(request, obj)

    @admin.action(description="Réessayer les messages en échec", permissions=["retry"])
    def retry(self, request, queryset):
        count = retry_failed_messages(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} message(s) remis en file.", messages.SUCCESS)

    def has_retry_permission(self, request):
        return request.user.has_perm("outbox.change_message")


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):
    list_display = ["user", "language"]
    list_filter = ["language"]
