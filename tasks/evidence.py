"""What an uploaded evidence file really is. Pure: bytes and a name in, a verdict out.

Only PDF, DOCX, XLSX, PNG and JPEG are accepted, judged by their content, not their name;
the name's extension must agree with the content. DOCX and XLSX are zip files: they must
hold the parts of their format and must not expand beyond a sane size (a zip bomb).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100

KINDS = {
    "pdf": ("application/pdf", (".pdf",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    "png": ("image/png", (".png",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
}


class EvidenceRejected(ValueError):
    """The file is refused; the message is for the user (Vietnamese)."""


@dataclass(frozen=True)
class Sniffed:
    kind: str
    content_type: str


def _zip_kind(head: bytes, data: bytes | None) -> str:
    if data is None:
        raise EvidenceRejected("Không đọc được tệp nén.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        total = sum(i.file_size for i in archive.infolist())
        packed = sum(i.compress_size for i in archive.infolist()) or 1
    except (zipfile.BadZipFile, ValueError) as exc:
        raise EvidenceRejected("Tệp Word/Excel bị hỏng.") from exc
    if total > MAX_UNZIPPED_BYTES or total / packed > MAX_RATIO:
        raise EvidenceRejected("Tệp nén bung ra quá lớn, không nhận.")
    if "[Content_Types].xml" not in names:
        raise EvidenceRejected("Tệp không phải Word/Excel hợp lệ.")
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    raise EvidenceRejected("Chỉ nhận tệp Word (.docx) hoặc Excel (.xlsx).")


def sniff(name: str, data: bytes, *, max_bytes: int) -> Sniffed:
    """The file's kind if accepted; EvidenceRejected with a Vietnamese reason otherwise."""
    if len(data) == 0:
        raise EvidenceRejected("Tệp rỗng.")
    if len(data) > max_bytes:
        raise EvidenceRejected(f"Tệp quá lớn: tối đa {max_bytes // (1024 * 1024)} MB mỗi tệp.")
    head = data[:8]
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(head, data)
    else:
        raise EvidenceRejected("Chỉ nhận tệp PDF, Word (.docx), Excel (.xlsx) hoặc ảnh PNG, JPEG.")
    content_type, extensions = KINDS[kind]
    if not name.lower().endswith(extensions):
        raise EvidenceRejected(
            f"Tên tệp “{name}” không khớp nội dung ({kind.upper()}): đổi đuôi tệp cho đúng."
        )
    return Sniffed(kind, content_type)
