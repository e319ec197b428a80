from rest_framework import serializers

from tasks.choices import DeadlineKind, Recurrence


class DeadlineParseInput(serializers.Serializer):
    text = serializers.CharField(max_length=300, allow_blank=True, trim_whitespace=True)
    issued_on = serializers.DateField(required=False, allow_null=True)


class DeadlineParseOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DeadlineKind.choices)
    due_on = serializers.DateField(allow_null=True)
    starts_on = serializers.DateField(allow_null=True)
    recurrence = serializers.ChoiceField(choices=Recurrence.choices, allow_null=True)
    normalized = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(allow_blank=True, help_text="Vì sao chưa đọc được (nếu có).")
