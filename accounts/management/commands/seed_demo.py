from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.seed import SeedError, seed


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu: đơn vị, năm văn bản nguồn và văn bản được dẫn chiếu, nhiệm vụ, "
        "chỉ tiêu và tài khoản demo. Chạy lại không thay đổi gì."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--without-accounts", action="store_true", help="Không tạo tài khoản demo."
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if not settings.DEBUG and not options["without_accounts"]:
            raise CommandError(
                "Tài khoản demo (mật khẩu công khai) chỉ dùng khi DEBUG=True. "
                "Trên máy chủ thật hãy chạy: seed_demo --without-accounts"
            )
        try:
            report = seed(accounts=not options["without_accounts"])
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        for slug, count in report.tasks_per_document.items():
            indicators = report.indicators_per_document.get(slug, 0)
            if count or indicators:
                self.stdout.write(f"  {slug}: {count} nhiệm vụ, {indicators} chỉ tiêu")
        if report.changed_anything:
            changed = ", ".join(f"{k}: {v}" for k, v in sorted(report.changed.items()) if v)
            self.stdout.write(self.style.SUCCESS(f"Đã nạp dữ liệu mẫu ({changed})."))
        else:
            self.stdout.write("Dữ liệu mẫu đã có sẵn; không có gì thay đổi.")
