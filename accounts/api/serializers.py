from rest_framework import serializers

from accounts.models import ApiToken, Unit, UnitSuccession
from portal.api import NFCCharField


class SuccessionSerializer(serializers.ModelSerializer):
    successor_id = serializers.IntegerField(read_only=True, allow_null=True)
    verified = serializers.BooleanField(
        read_only=True, help_text="false: số, ngày văn bản chưa đối chiếu văn bản."
    )

    class Meta:
        model = UnitSuccession
        fields = ["successor_id", "effective_on", "basis", "basis_date", "verified"]
        read_only_fields = fields


class UnitSerializer(serializers.ModelSerializer):
    is_group = serializers.BooleanField(read_only=True)
    # Foreign-key ids declared as plain integers, so the schema never queries the database.
    province_id = serializers.IntegerField(read_only=True, allow_null=True)
    successions = SuccessionSerializer(
        many=True,
        read_only=True,
        help_text="Sắp xếp đơn vị: từ ngày có hiệu lực, đơn vị kế thừa nhận phần việc còn dở "
        "(successor_id null: giải thể, người có thẩm quyền chọn đơn vị tiếp nhận từng phần việc).",
    )
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
            "successions",
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
