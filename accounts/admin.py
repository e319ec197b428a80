from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import ApiToken, AuditEvent, Membership, Unit, UnitAlias, User
from accounts.services import alias_save, unit_save
from portal.admin import NfcAdminMixin


class AliasInline(NfcAdminMixin, admin.TabularInline):
    model = UnitAlias
    extra = 0
    fields = ["name"]


@admin.register(Unit)
class UnitAdmin(NfcAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "province", "parent", "successor", "successor_from"]
    list_filter = ["kind", "reviews_all"]
    search_fields = ["name", "short_name", "key", "aliases__name"]
    list_select_related = ["province", "parent", "successor"]
    autocomplete_fields = ["parent", "province", "successor", "members"]
    readonly_fields = ["name_key"]
    inlines = [AliasInline]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        unit_save(unit=obj)

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        for alias in formset.save(commit=False):
            alias_save(alias=alias)
        for alias in formset.deleted_objects:
            alias.delete()


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "email", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Thông tin cán bộ"), {"fields": ["full_name", "phone"]}),
    )
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role"]
    list_select_related = ["user", "unit"]
    autocomplete_fields = ["user", "unit"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "revoked_at"]
    list_select_related = ["user"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "username", "detail", "ip_address"]
    list_filter = ["action"]
    search_fields = ["username", "detail"]
    list_select_related = ["user"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
