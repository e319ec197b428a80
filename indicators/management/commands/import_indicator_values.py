from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from documents.selectors import document_get_by_reference
from indicators.services import indicator_values_import


class Command(BaseCommand):
    help = (
        "Nhập số liệu chỉ tiêu từ tệp Excel (một dòng mỗi chỉ tiêu và tỉnh, một cột mỗi năm) "
        "thành bản nháp: tất cả hoặc không."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", type=Path)
        parser.add_argument("--document", required=True, help='Mã hoặc số văn bản, vd "26-CTr/TU"')
        parser.add_argument(
            "--user", required=True, help="Tên đăng nhập của cán bộ nhập (người nhập số liệu)."
        )
        parser.add_argument(
            "--source", default="", help="Nguồn số liệu nếu tệp không có cột Nguồn."
        )
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi.")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        document = document_get_by_reference(options["document"])
        if document is None:
            raise CommandError(f"Không tìm thấy văn bản “{options['document']}”.")
        if not options["file"].exists():
            raise CommandError(f"Không có tệp {options['file']}.")
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"Không có người dùng “{options['user']}”.")
        report = indicator_values_import(
            document=document,
            file=options["file"],
            user=user,
            dry_run=options["dry_run"],
            source=options["source"],
        )
        for row, message in report.errors:
            where = f"dòng {row}: " if row else ""
            self.stderr.write(f"{where}{message}")
        if report.errors:
            raise CommandError(
                f"{len(report.errors)} lỗi; không ghi số liệu nào ({report.rows} dòng đã đọc)."
            )
        if report.dry_run:
            self.stdout.write(
                f"Kiểm tra xong: {report.rows} dòng, {report.values} số liệu hợp lệ, chưa ghi "
                "(--dry-run)."
            )
        else:
            self.stdout.write(
                f"Đã nhập {report.values} số liệu ({report.rows} dòng) vào {document}: "
                f"{report.created} mới, {report.updated} cập nhật (bản nháp)."
            )
