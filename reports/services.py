"""Writes of the reports app: a signed report recorded as sent, calendar secrets."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.access import access_for
from accounts.choices import Role
from accounts.models import Unit, User
from portal.vietnamese import nfc
from reports.models import CalendarToken, SignedReport, hash_secret
from reports.periods import ReportPeriod
from tasks.services import NotAllowed


class SignedReportRejected(Exception):
    """The upload is refused; the message says why, in Vietnamese."""


def _check_pdf(name: str, data: bytes) -> None:
    limit = settings.SIGNED_REPORT_MAX_BYTES
    if not data:
        raise SignedReportRejected("Tệp rỗng.")
    if len(data) > limit:
        raise SignedReportRejected(f"Tệp quá lớn: tối đa {limit // (1024 * 1024)} MB.")
    if not data.startswith(b"%PDF-"):
        raise SignedReportRejected("Báo cáo đã ký phải là tệp PDF.")
    if not name.lower().endswith(".pdf"):
        raise SignedReportRejected(f"Tên tệp “{name}” phải có đuôi .pdf.")


@transaction.atomic
def signed_report_upload(
    *, unit: Unit, period: ReportPeriod, user: User, name: str, data: bytes
) -> SignedReport:
    """An officer or leader of ``unit`` uploads the signed PDF of its report for ``period``;
    the portal keeps it byte for byte (the digital signature covers every byte) and records
    the report as sent."""
    if not access_for(user).has_role(unit.pk, Role.OFFICER, Role.LEADER):
        raise NotAllowed("Chỉ cán bộ, lãnh đạo của đơn vị được gửi báo cáo của đơn vị.")
    _check_pdf(name, data)
    signed = SignedReport(
        unit=unit,
        year=period.year,
        period=period.kind.value,
        original_name=nfc(name)[:255],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user,
    )
    signed.file.save("signed.pdf", ContentFile(data), save=False)
    signed.full_clean()
    signed.save()
    return signed


@transaction.atomic
def calendar_token_create(*, user: User) -> tuple[CalendarToken, str]:
    """A new secret for ``user``'s calendar feed; the raw secret is returned once."""
    raw = secrets.token_urlsafe(32)
    token = CalendarToken(user=user, key_hash=hash_secret(raw), prefix=raw[:8])
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def calendar_token_revoke(*, token_id: int, user: User) -> int:
    """Revoke one of ``user``'s secrets: its address answers 404 from now on."""
    return CalendarToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
