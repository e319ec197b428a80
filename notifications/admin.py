from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from notifications.models import NotificationPreference, Reminder
from notifications.sending import reminder_resend


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """The reminder log: what was owed to whom, and whether it went out."""

    list_display = [
        "created_at",
        "kind",
        "recipient",
        "task",
        "unit",
        "due_on",
        "offset_days",
        "channel",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "kind", "channel", "due_on"]
    search_fields = ["key", "recipient__username", "task__ref", "task__title", "unit__name"]
    list_select_related = ["recipient", "task", "unit"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    readonly_fields = [
        field.name for field in Reminder._meta.get_fields() if getattr(field, "concrete", False)
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Gửi lại các nhắc việc gửi lỗi đã chọn")
    def resend(self, request: HttpRequest, queryset: QuerySet[Reminder]) -> None:
        ids = reminder_resend(reminder_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"Đã xếp lại {len(ids)} nhắc việc để gửi.", messages.SUCCESS)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "mode", "muted_kinds"]
    list_filter = ["mode"]
    search_fields = ["user__username", "user__full_name"]
    autocomplete_fields = ["user"]
