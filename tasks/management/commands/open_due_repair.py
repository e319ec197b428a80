from django.core.management.base import BaseCommand

from tasks.services import open_due_repair


class Command(BaseCommand):
    help = (
        "Tính lại hạn còn mở (open_due_on) và trạng thái lưu sẵn của mọi nhiệm vụ theo quy tắc "
        "trạng thái; sửa và báo các dòng bị lệch."
    )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        fixed = open_due_repair()
        self.stdout.write(f"Đã tính lại: {fixed} dòng lệch.")
