from rest_framework import serializers

from indicators.choices import Comparator, TargetKind
from indicators.models import Indicator, IndicatorValue


class IndicatorDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    slug = serializers.CharField()
    title = serializers.CharField()


class ShareSerializer(serializers.Serializer):
    name = serializers.CharField()
    value = serializers.CharField(help_text="Số thập phân dạng chuỗi.")


class TargetSerializer(serializers.Serializer):
    """The target as printed and as parsed when the indicator was stored."""

    text = serializers.CharField(source="target_text")
    kind = serializers.ChoiceField(source="target_kind", choices=TargetKind.choices)
    comparator = serializers.ChoiceField(choices=Comparator.choices)
    low = serializers.DecimalField(
        source="target_low", max_digits=20, decimal_places=4, allow_null=True
    )
    high = serializers.DecimalField(
        source="target_high", max_digits=20, decimal_places=4, allow_null=True
    )
    unit = serializers.CharField(source="unit_of_measure")
    per_year = serializers.BooleanField()
    shares = ShareSerializer(many=True)
    normalized = serializers.CharField(source="target_normalized")


class BaselineSerializer(serializers.Serializer):
    value = serializers.DecimalField(
        source="baseline_value", max_digits=20, decimal_places=4, allow_null=True
    )
    year = serializers.IntegerField(source="baseline_year", allow_null=True)
    text = serializers.CharField(source="baseline_text")


class ScopeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class IndicatorSerializer(serializers.ModelSerializer):
    document = IndicatorDocumentSerializer()
    target = TargetSerializer(source="*")
    scope = ScopeSerializer()
    baseline = BaselineSerializer(source="*")

    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "document",
            "name",
            "group",
            "target",
            "target_year",
            "scope",
            "baseline",
        ]
        read_only_fields = fields


class IndicatorValueSerializer(serializers.ModelSerializer):
    # Foreign-key ids declared as plain integers, so the schema never queries the database.
    indicator_id = serializers.IntegerField(read_only=True)
    scope_id = serializers.IntegerField(read_only=True)
    on_behalf_of_id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Người duyệt thừa ủy quyền của lãnh đạo này (id người dùng), nếu có.",
    )

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "indicator_id",
            "scope_id",
            "year",
            "value",
            "source",
            "decided_at",
            "on_behalf_of_id",
        ]
        read_only_fields = fields
