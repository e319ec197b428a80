from rest_framework import serializers

from accounts.models import ApiToken, Unit
from portal.api import NFCCharField


class UnitSerializer(serializers.ModelSerializer):
    is_group = serializers.BooleanField(read_only=True)
    # Foreign-key ids declared as plain integers, so the schema never queries the database.
    province_id = serializers.IntegerField(read_only=True, allow_null=True)
    successor_id = serializers.IntegerField(read_only=True, allow_null=True)
    member_ids = serializers.PrimaryKeyRelatedField(source="members", many=True, read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "key",
            "name",
            "kind",
            "province_id",
            "is_group",
            "member_ids",
            "successor_id",
            "successor_from",
        ]
        read_only_fields = fields


class TokenSerializer(serializers.ModelSerializer):
    """A token as listed: never its key."""

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]
        read_only_fields = fields


class TokenCreatedSerializer(TokenSerializer):
    key = serializers.CharField(help_text="Mã truy cập; chỉ hiện một lần, hãy lưu lại ngay.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


class TokenCreateInput(serializers.Serializer):
    name = NFCCharField(max_length=100)
    days = serializers.IntegerField(
        min_value=1, max_value=365, required=False, help_text="Số ngày hiệu lực (tối đa 365)."
    )
