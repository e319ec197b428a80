"""Writes of documents and their relations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q

from accounts.models import Unit
from documents.choices import DocumentKind, RelationKind
from documents.models import Document, DocumentRelation, TableImport
from documents.numbers import KIND_NAMES, DocumentNumberError, parse_document_number
from portal.services import update_fields_if_changed
from portal.vietnamese import nfc


@transaction.atomic
def document_upsert(
    *,
    slug: str,
    kind: str,
    title: str,
    issuer: Unit,
    number: str = "",
    issued_on: dt.date | None = None,
    issued_year: int | None = None,
    signer: str = "",
    signer_title: str = "",
    horizon: str = "",
    horizon_year: int | None = None,
    scope: Unit | None = None,
    province: Unit | None = None,
    is_stub: bool = False,
    source_file: str = "",
    monitors: Sequence[Unit] = (),
) -> tuple[Document, bool]:
    """Create or update a document by slug. A number is parsed and normalised; an
    unreadable number is refused (DocumentNumberError) rather than stored as free text."""
    parsed = parse_document_number(number) if number else None
    doc = Document.objects.filter(slug=slug).first() or Document(slug=slug)
    dates = _judging_dates(doc)
    changed = update_fields_if_changed(
        doc,
        {
            "kind": kind,
            "title": nfc(title),
            "issuer": issuer,
            "number": parsed.text if parsed else "",
            "number_key": parsed.key if parsed else "",
            "issued_on": issued_on,
            "issued_year": issued_year or (issued_on.year if issued_on else None),
            "signer": nfc(signer),
            "signer_title": nfc(signer_title),
            "horizon": nfc(horizon),
            "horizon_year": horizon_year,
            "scope": scope,
            "province": province,
            "is_stub": is_stub,
            "source_file": source_file,
        },
    )
    if {m.pk for m in monitors} != set(doc.monitors.values_list("pk", flat=True)):
        doc.monitors.set(monitors)
        changed = True
    _refresh_task_dates(doc, dates)
    return doc, changed


def _judging_dates(document: Document) -> tuple[object, ...]:
    """What the document gives its tasks' status: issue date and year (first occurrence of
    a recurring duty) and horizon year (last occurrence; due date of undated tasks)."""
    if document.pk is None:
        return ()
    return (document.issued_on, document.issued_year, document.horizon_year)


def _refresh_task_dates(document: Document, before: tuple[object, ...]) -> None:
    """The stored open due dates of the document's tasks follow a change of those dates."""
    if before and before != _judging_dates(document):
        from tasks.services import open_due_refresh

        open_due_refresh(task_ids=document.tasks.values_list("pk", flat=True))


@transaction.atomic
def relation_ensure(*, source: Document, target: Document, kind: str) -> bool:
    relation = DocumentRelation(source=source, target=target, kind=kind)
    if DocumentRelation.objects.filter(source=source, target=target, kind=kind).exists():
        return False
    relation.full_clean()
    relation.save()
    return True


@transaction.atomic
def document_save(*, document: Document) -> Document:
    """Save a document edited by hand (admin): the number is parsed and normalised."""
    parsed = parse_document_number(document.number) if document.number else None
    document.number = parsed.text if parsed else ""
    document.number_key = parsed.key if parsed else ""
    document.full_clean()
    stored = Document.objects.filter(pk=document.pk).first() if document.pk else None
    document.save()
    if stored is not None:
        _refresh_task_dates(document, _judging_dates(stored))
    return document


# A checked table waits this long for its publish; older ones are dropped when the next is kept.
TABLE_IMPORT_KEEP = dt.timedelta(days=1)


@transaction.atomic
def table_import_keep(
    *,
    document: Document,
    kind: str,
    user: Any,
    rows: list[Any],
    file_name: str = "",
    source: str = "",
) -> TableImport:
    """Keep a checked table's parsed rows on the server until the user confirms the import
    (the confirm names it by id; nothing is kept in the session). A user's earlier checked
    tables of the same kind and document, and everyone's stale ones, are dropped."""
    from django.utils import timezone

    TableImport.objects.filter(state=TableImport.State.CHECKED).filter(
        Q(document=document, kind=kind, created_by=user)
        | Q(created_at__lt=timezone.now() - TABLE_IMPORT_KEEP)
    ).delete()
    batch = TableImport(
        document=document,
        kind=kind,
        created_by=user,
        rows=rows,
        total=len(rows),
        file_name=nfc(file_name)[:255],
        source=nfc(source)[:300],
    )
    batch.full_clean()
    batch.save()
    return batch


def table_import_pending(
    *, pk: Any, document: Document, kind: str, user: Any
) -> TableImport | None:
    """The user's own checked table for this document, or None (a wrong or foreign id)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return TableImport.objects.filter(
        pk=pk, document=document, kind=kind, created_by=user, state=TableImport.State.CHECKED
    ).first()


class DocumentEntryError(ValueError):
    """The document cannot be entered as given; ``message`` is for the user (Vietnamese)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
_KIND_OF_NUMBER = {choice.value for choice in DocumentKind}


def document_slug_for(number: str, title: str) -> str:
    """A new document's slug: from its number ("26-ctr-tu"), else its title; made unique."""
    from django.utils.text import slugify

    from portal.vietnamese import fold

    base = slugify(fold(number.replace("/", "-"))) or slugify(fold(title))[:60] or "van-ban"
    base = base[:100]
    slug, n = base, 1
    while Document.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def document_enter(
    *,
    user: Any,
    document: Document | None = None,
    number: str,
    kind: str,
    title: str,
    issuer: Unit,
    issued_on: dt.date | None,
    signer: str = "",
    signer_title: str = "",
    horizon: str = "",
    horizon_year: int | None = None,
    implements: Sequence[Document] = (),
    continues: Sequence[Document] = (),
    full_text: str = "",
    attachment: tuple[str, bytes] | None = None,
) -> Document:
    """Enter a new document, or edit one (``document``), as its issuer's secretariat does:
    the number as printed is parsed (kind, issuer, year) and refused when unreadable or when
    it disagrees with the kind or the date; the documents it implements or continues become
    its relations (edges to others are kept). The row's history records every edit.
    ``attachment`` is (file name, bytes): a signed PDF or DOCX, judged by its content."""
    from documents.rules import may_enter_for

    for unit in {
        issuer.pk: issuer,
        **({document.issuer_id: document.issuer} if document else {}),
    }.values():
        if not may_enter_for(user, unit):
            raise DocumentEntryError(
                f"Chỉ văn phòng của “{unit}” (hoặc của tỉnh) mới nhập được văn bản của đơn vị này.",
                "issuer",
            )
    parsed = None
    if number.strip():
        try:
            parsed = parse_document_number(number)
        except DocumentNumberError as exc:
            raise DocumentEntryError(str(exc), "number") from exc
        if parsed.kind in _KIND_OF_NUMBER and not kind:
            kind = parsed.kind
        if parsed.kind in _KIND_OF_NUMBER and parsed.kind != kind:
            raise DocumentEntryError(
                f"Số “{parsed.text}” là {KIND_NAMES.get(parsed.kind, parsed.kind)}, "
                f"không khớp loại văn bản đã chọn.",
                "kind",
            )
        if parsed.year and issued_on and parsed.year != issued_on.year:
            raise DocumentEntryError(
                f"Năm trong số hiệu ({parsed.year}) khác năm ban hành ({issued_on.year}).",
                "issued_on",
            )
        clash = Document.objects.filter(number_key=parsed.key, issuer=issuer)
        if document is not None:
            clash = clash.exclude(pk=document.pk)
        if clash.exists():
            raise DocumentEntryError(
                f"Đã có văn bản số {parsed.text} của {issuer} trên cổng.", "number"
            )
    if not kind:
        raise DocumentEntryError("Hãy chọn loại văn bản (hoặc nhập số, ký hiệu).", "kind")
    province = issuer.province or (issuer if issuer.kind == "province" else None)
    slug = document.slug if document else document_slug_for(parsed.text if parsed else "", title)
    doc, _ = document_upsert(
        slug=slug,
        kind=kind,
        title=title,
        issuer=issuer,
        number=parsed.text if parsed else "",
        issued_on=issued_on,
        signer=signer,
        signer_title=signer_title,
        horizon=horizon,
        horizon_year=horizon_year,
        scope=document.scope if document else None,
        province=province,
        monitors=list(document.monitors.all()) if document else (),
    )
    if nfc(full_text) != doc.full_text:
        doc.full_text = nfc(full_text)
        doc.full_clean()
        doc.save(update_fields=["full_text"])
    for relation_kind, targets in (
        (RelationKind.IMPLEMENTS, implements),
        (RelationKind.CONTINUES, continues),
    ):
        wanted = {t.pk for t in targets if t.pk != doc.pk}
        DocumentRelation.objects.filter(source=doc, kind=relation_kind).exclude(
            target_id__in=wanted
        ).delete()
        for target in targets:
            if target.pk in wanted:
                relation_ensure(source=doc, target=target, kind=relation_kind)
    if attachment is not None:
        import uuid

        from django.core.files.base import ContentFile

        from tasks.evidence import EvidenceRejected, sniff

        name, data = attachment
        try:
            sniffed = sniff(name, data, max_bytes=ATTACHMENT_MAX_BYTES)
        except EvidenceRejected as exc:
            raise DocumentEntryError(str(exc), "attachment") from exc
        if sniffed.kind not in ("pdf", "docx"):
            raise DocumentEntryError("Tệp văn bản phải là PDF hoặc Word (.docx).", "attachment")
        doc.attachment.save(f"{uuid.uuid4().hex}.{sniffed.kind}", ContentFile(data), save=False)
        doc.attachment_name = nfc(name)[:255]
        doc.save(update_fields=["attachment", "attachment_name"])
    return doc
