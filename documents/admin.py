from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from documents.models import Document, DocumentRelation


class RelationInline(admin.TabularInline):
    model = DocumentRelation
    fk_name = "source"
    extra = 0
    autocomplete_fields = ["target"]
    verbose_name_plural = "Văn bản căn cứ (quan hệ đi)"


@admin.register(Document)
class DocumentAdmin(SimpleHistoryAdmin):
    list_display = ["display_name", "kind", "issuer", "issued_on", "issued_year", "is_stub"]
    list_filter = ["kind", "is_stub"]
    search_fields = ["number", "title", "slug"]
    list_select_related = ["issuer"]
    autocomplete_fields = ["issuer", "scope", "province", "monitors"]
    readonly_fields = ["number_key"]
    inlines = [RelationInline]


@admin.register(DocumentRelation)
class DocumentRelationAdmin(admin.ModelAdmin):
    list_display = ["source", "kind", "target"]
    list_filter = ["kind"]
    list_select_related = ["source", "target"]
    autocomplete_fields = ["source", "target"]
