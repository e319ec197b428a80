from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from documents.selectors import document_get_by_reference
from tasks.importer import TableError, import_rows, read_table


class Command(BaseCommand):
    help = "Nhập biểu phân công nhiệm vụ (TSV, CSV, XLSX, DOCX) vào một văn bản: tất cả hoặc không."
    # A data import reads no URL, template or admin: the system checks (about a second of
    # importing every page module) belong to `manage.py check`, run at deploy.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", type=Path)
        parser.add_argument("--document", required=True, help='Số, ký hiệu hoặc mã, vd "26-CTr/TU"')
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi.")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        document = document_get_by_reference(options["document"])
        if document is None:
            raise CommandError(f"Không tìm thấy văn bản “{options['document']}”.")
        if not options["file"].exists():
            raise CommandError(f"Không có tệp {options['file']}.")
        try:
            rows = read_table(options["file"])
        except TableError as exc:
            raise CommandError(str(exc)) from exc
        report = import_rows(document, rows, dry_run=options["dry_run"])
        for line, message in report.errors:
            where = f"dòng {line}: " if line else ""
            self.stderr.write(f"{where}{message}")
        if report.errors:
            raise CommandError(
                f"{len(report.errors)} lỗi; không ghi dòng nào ({report.rows} dòng đã đọc)."
            )
        if report.dry_run:
            self.stdout.write(f"Kiểm tra xong: {report.rows} dòng hợp lệ, chưa ghi (--dry-run).")
        else:
            self.stdout.write(
                f"Đã nhập {report.rows} dòng vào {document}: {report.created} mới, "
                f"{report.updated} cập nhật, {report.unchanged} không đổi."
            )
            if report.missing:
                self.stdout.write(
                    f"{len(report.missing)} nhiệm vụ đã có nhưng không còn trong bảng (giữ "
                    f"nguyên, cần xem lại): {', '.join(report.missing)}"
                )
