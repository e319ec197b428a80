from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from documents.models import Document, DocumentRelation
from documents.numbers import DocumentNumberError
from documents.services import document_save
from portal.admin import NfcAdminMixin, NfcModelForm


class RelationInline(NfcAdminMixin, admin.TabularInline):
    model = DocumentRelation
    fk_name = "source"
    extra = 0
    autocomplete_fields = ["target"]
    verbose_name_plural = "Văn bản căn cứ (quan hệ đi)"


class DocumentForm(NfcModelForm):
    def clean_number(self) -> str:
        from documents.numbers import parse_document_number

        number = self.cleaned_data.get("number") or ""
        if number:
            try:
                parse_document_number(number)
            except DocumentNumberError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return number


@admin.register(Document)
class DocumentAdmin(SimpleHistoryAdmin):
    list_display = ["display_name", "kind", "issuer", "issued_on", "issued_year", "is_stub"]
    list_filter = ["kind", "is_stub"]
    search_fields = ["number", "title", "slug"]
    list_select_related = ["issuer"]
    autocomplete_fields = ["issuer", "scope", "province", "monitors"]
    readonly_fields = ["number_key"]
    inlines = [RelationInline]
    form = DocumentForm

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        document_save(document=obj)


@admin.register(DocumentRelation)
class DocumentRelationAdmin(admin.ModelAdmin):
    list_display = ["source", "kind", "target"]
    list_filter = ["kind"]
    list_select_related = ["source", "target"]
    autocomplete_fields = ["source", "target"]
