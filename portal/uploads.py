"""Uploads cost disk, not memory, and stop at the limit: every file is streamed in chunks to a
temporary file, and the request is refused (413) as soon as one file passes
EVIDENCE_MAX_BYTES or all of them pass REQUEST_BODY_MAX_BYTES, not after the whole body has
been read."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import TemporaryFileUploadHandler


class UploadTooLarge(RequestDataTooBig):
    """A SuspiciousOperation: Django answers 400 on pages (portal.views.bad_request shows the
    message) and the API answers 413 in its error format (portal.api.exception_handler)."""


def _mb(size: int) -> int:
    return size // (1024 * 1024)


class CappedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: bytes,
        encoding: str | None = None,
    ) -> None:
        self.received = 0
        if content_length > settings.REQUEST_BODY_MAX_BYTES:
            raise UploadTooLarge(
                f"Yêu cầu quá lớn: tối đa {_mb(settings.REQUEST_BODY_MAX_BYTES)} MB mỗi lần gửi."
            )

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received = getattr(self, "received", 0) + len(raw_data)
        if start + len(raw_data) > settings.EVIDENCE_MAX_BYTES:
            self.file.close()  # the temporary file is removed now, not at the end
            raise UploadTooLarge(
                f"Tệp quá lớn: tối đa {_mb(settings.EVIDENCE_MAX_BYTES)} MB mỗi tệp."
            )
        if self.received > settings.REQUEST_BODY_MAX_BYTES:
            self.file.close()
            raise UploadTooLarge(
                f"Yêu cầu quá lớn: tối đa {_mb(settings.REQUEST_BODY_MAX_BYTES)} MB mỗi lần gửi."
            )
        return super().receive_data_chunk(raw_data, start)
