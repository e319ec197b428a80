from django.contrib import admin

from reports.models import CalendarToken, SignedReport


@admin.register(SignedReport)
class SignedReportAdmin(admin.ModelAdmin):
    """Read only: a sent report is a record; the file stays byte for byte as uploaded."""

    list_display = ("unit", "year", "period", "original_name", "size", "uploaded_by", "sent_at")
    list_filter = ("year", "period")
    search_fields = ("unit__name", "original_name")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    """Secrets are shown by prefix only; an administrator can revoke one."""

    list_display = ("user", "prefix", "created_at", "last_used_at", "revoked_at")
    fields = ("user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "prefix", "created_at", "last_used_at")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
