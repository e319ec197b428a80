"""Writes of documents and their relations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q

from accounts.models import Unit
from documents.models import Document, DocumentRelation, TableImport
from documents.numbers import parse_document_number
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
    return doc, changed


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
    document.save()
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
