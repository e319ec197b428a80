from __future__ import annotations

from rest_framework import serializers

from notifications.models import Kind


class NotificationSerializer(serializers.Serializer):
    """One of the caller's notifications (``notifications.selectors.Entry``)."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    label = serializers.CharField(help_text="Loại thông báo, tiếng Việt")
    title = serializers.CharField(help_text="Điều thông báo nói đến: nhiệm vụ, báo cáo, chỉ tiêu")
    url = serializers.URLField(help_text="Địa chỉ đầy đủ của điều đó trên cổng")
    when = serializers.CharField(help_text='Hạn liên quan, ví dụ "hạn 30/06/2026"; có thể trống')
    actor = serializers.CharField(help_text="Người đã thực hiện (gửi, duyệt, trả lại...)")
    note = serializers.CharField(help_text="Lý do trả lại, nội dung yêu cầu hoặc giải trình")
    due_on = serializers.DateField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    is_read = serializers.BooleanField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="Số thông báo vừa được đánh dấu đã đọc")
