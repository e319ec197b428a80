from rest_framework import serializers

from documents.choices import DocumentKind, RelationKind
from documents.models import Document

# The enum is the list's (Document.kind); elsewhere a documented string, so the schema has
# one component per enum.
_KIND_HELP = "Loại văn bản: " + ", ".join(DocumentKind.values) + "."


class IssuerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DocumentSerializer(serializers.ModelSerializer):
    issuer = IssuerSerializer()
    # Foreign-key ids declared as plain integers, so the schema never queries the database.
    scope_id = serializers.IntegerField(read_only=True, allow_null=True)
    province_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "slug",
            "number",
            "kind",
            "title",
            "issuer",
            "issued_on",
            "issued_year",
            "horizon",
            "horizon_year",
            "scope_id",
            "province_id",
            "is_stub",
        ]
        read_only_fields = fields


class ChainDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    slug = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField(help_text=_KIND_HELP)


class RelationSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RelationKind.choices)
    target_id = serializers.IntegerField()


class DocumentDetailSerializer(DocumentSerializer):
    """A document with its chain: ``above`` (what it implements, continues, is attached to or
    supersedes, transitively), ``below`` (what implements it) and its own typed edges."""

    above = ChainDocumentSerializer(many=True)
    below = ChainDocumentSerializer(many=True)
    relations = RelationSerializer(many=True, source="relations_out.all")
    kind = serializers.CharField(help_text=_KIND_HELP)

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "above", "below", "relations"]
        read_only_fields = fields
