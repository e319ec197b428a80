from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.selectors import group_members
from portal.admin import NfcAdminMixin
from tasks.models import DeadlineExtension, ProgressReport, Task, TaskAssignment, TaskTrack
from tasks.services import (
    open_due_refresh,
    task_completion_refresh,
    task_save,
    task_sync_tracks,
)


class AssignmentInline(NfcAdminMixin, admin.TabularInline):
    model = TaskAssignment
    extra = 0
    autocomplete_fields = ["unit"]
    fields = ["role", "unit", "printed_name", "position"]


class TrackInline(admin.TabularInline):
    model = TaskTrack
    extra = 0
    autocomplete_fields = ["unit", "via"]
    fields = ["unit", "via", "percent", "completed_on"]
    readonly_fields = ["percent", "completed_on"]


@admin.register(Task)
class TaskAdmin(NfcAdminMixin, SimpleHistoryAdmin):
    list_display = ["ref", "short_title", "document", "deadline_text", "deadline_kind", "due_on"]
    list_filter = ["deadline_kind", "recurrence", "document"]
    search_fields = ["ref", "title", "deadline_text"]
    list_select_related = ["document__issuer"]
    autocomplete_fields = ["document", "parent", "implements"]
    # The parsed deadline comes from the phrase; it is never typed by hand.
    readonly_fields = [
        "completed_on",
        "deadline_kind",
        "due_on",
        "starts_on",
        "recurrence",
        "deadline_normalized",
        "deadline_note",
    ]
    inlines = [AssignmentInline, TrackInline]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        task_save(task=obj)

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        # Lead units changed by hand: one track per member unit, as the importer does, and
        # the stored open due date with its lead rows and "has lead" flag.
        if not task_sync_tracks(task=form.instance, members=group_members()):
            open_due_refresh(task_ids=[form.instance.pk])

    @admin.display(description="Nội dung")
    def short_title(self, obj: Task) -> str:
        return obj.title[:90]


@admin.register(TaskTrack)
class TaskTrackAdmin(SimpleHistoryAdmin):
    list_display = ["task", "unit", "via", "percent", "completed_on"]
    list_select_related = ["task", "unit", "via"]
    search_fields = ["task__title", "unit__name"]
    autocomplete_fields = ["task", "unit", "via"]
    readonly_fields = ["percent", "completed_on"]

    # A track added, moved or deleted by hand changes when its task counts as completed.
    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        before = TaskTrack.objects.filter(pk=obj.pk).values_list("task_id", flat=True)
        moved_from = list(before) if change else []
        super().save_model(request, obj, form, change)
        task_completion_refresh(task_ids=[obj.task_id, *moved_from])

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        super().delete_model(request, obj)
        task_completion_refresh(task_ids=[obj.task_id])

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        task_ids = list(queryset.values_list("task_id", flat=True))
        super().delete_queryset(request, queryset)
        task_completion_refresh(task_ids=task_ids)


@admin.register(ProgressReport)
class ProgressReportAdmin(SimpleHistoryAdmin):
    """Read-only: reports change only through the report services (draft, submit, approve)."""

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    list_display = ["track", "period_year", "period_quarter", "state", "percent", "author"]
    list_filter = ["state", "period_year", "period_quarter"]
    list_select_related = ["track__task", "track__unit", "author"]
    autocomplete_fields = ["track", "author", "decided_by"]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(SimpleHistoryAdmin):
    """Extensions are asked for and decided on the task page or the API (tasks.extensions,
    with its rules); the admin reads them and their history."""

    list_display = ["task", "unit", "original_due_on", "proposed_due_on", "state", "applies"]
    list_select_related = ["task", "unit"]
    list_filter = ["state", "applies"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
