from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import (
    ApiToken,
    AuditEvent,
    Delegation,
    Membership,
    Unit,
    UnitAlias,
    UnitSuccession,
    User,
)
from accounts.services import alias_save, succession_save, unit_save
from portal.admin import NfcAdminMixin


class SuccessionInline(NfcAdminMixin, admin.TabularInline):
    model = UnitSuccession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]
    fields = ["successor", "effective_on", "basis", "basis_date", "verified", "note"]
    verbose_name = _("đơn vị kế thừa (sắp xếp)")
    verbose_name_plural = _("đơn vị kế thừa (sắp xếp)")


class AliasInline(NfcAdminMixin, admin.TabularInline):
    model = UnitAlias
    extra = 0
    fields = ["name"]


@admin.register(Unit)
class UnitAdmin(NfcAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "province", "parent"]
    list_filter = ["kind", "reviews_all"]
    search_fields = ["name", "short_name", "key", "aliases__name"]
    list_select_related = ["province", "parent"]
    autocomplete_fields = ["parent", "province", "members"]
    readonly_fields = ["name_key"]
    inlines = [AliasInline, SuccessionInline]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        unit_save(unit=obj)

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        if formset.model is UnitSuccession:
            for succession in formset.save(commit=False):
                succession_save(succession=succession)
            for succession in formset.deleted_objects:
                succession.delete()
            return
        for alias in formset.save(commit=False):
            alias_save(alias=alias)
        for alias in formset.deleted_objects:
            alias.delete()


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(NfcAdminMixin, SimpleHistoryAdmin):
    """Mergers, splits and abolitions; every change is kept in the history (audited)."""

    list_display = ["predecessor", "successor", "effective_on", "basis", "verified"]
    list_filter = ["verified", "effective_on"]
    search_fields = ["predecessor__name", "successor__name", "basis", "note"]
    list_select_related = ["predecessor", "successor"]
    autocomplete_fields = ["predecessor", "successor"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        succession_save(succession=obj)


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


@admin.register(Delegation)
class DelegationAdmin(SimpleHistoryAdmin):
    """Delegations are made and revoked by leaders on their page (accounts.delegations, with
    its rules); the admin reads them and their history."""

    list_display = ["unit", "from_user", "to_user", "starts_on", "ends_on", "revoked_at"]
    list_select_related = ["unit", "from_user", "to_user"]
    list_filter = ["starts_on"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
