"""Reads of documents and their chain."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from documents.models import Document, DocumentRelation
from documents.numbers import document_number_key


def document_get_by_reference(reference: str) -> Document | None:
    """A document by its number ("26-CTr/TU", any spelling) or its slug; None if unknown
    or ambiguous (two issuers with the same number)."""
    key = document_number_key(reference)
    if key:
        found = list(Document.objects.filter(number_key=key)[:2])
        if len(found) == 1:
            return found[0]
    return Document.objects.filter(slug=reference.strip()).first()


def document_chain(document: Document) -> tuple[list[Document], list[Document]]:
    """Documents above (what this one implements, continues, is attached to, supersedes,
    transitively) and below (what implements it), loading all edges in one query.

    Ordered by the relation, nearest first: a document comes after every document of the
    chain that points to it (its longest distance from this one), so 26-CTr/TU's chain reads
    96/NQ-CP, then 11-NQ/TW (which 96/NQ-CP implements), then 37-NQ/TW; ties by date."""
    up: dict[int, set[int]] = defaultdict(set)
    down: dict[int, set[int]] = defaultdict(set)
    for source_id, target_id in DocumentRelation.objects.values_list("source_id", "target_id"):
        up[source_id].add(target_id)
        down[target_id].add(source_id)

    def depths(graph: dict[int, set[int]]) -> dict[int, int]:
        """Longest distance from ``document`` to each document reachable in ``graph``."""
        found: dict[int, int] = {document.pk: 0}
        for _ in range(len(graph) + 1):  # a cycle cannot loop for ever
            changed = False
            for node, depth in list(found.items()):
                for other in graph.get(node, ()):
                    if other != document.pk and found.get(other, -1) < depth + 1:
                        found[other] = depth + 1
                        changed = True
            if not changed:
                break
        found.pop(document.pk)
        return found

    above, below = depths(up), depths(down)
    docs = Document.objects.select_related("issuer").in_bulk([*above, *below])

    def ordered(found: dict[int, int]) -> list[Document]:
        return sorted(
            (docs[i] for i in found),
            key=lambda d: (found[d.pk], d.issued_on or dt.date(d.issued_year or 1, 1, 1), d.pk),
        )

    return ordered(above), ordered(below)


def document_search(query: str, limit: int = 20) -> list[Document]:
    """Documents whose number or title matches ``query`` (a number in any spelling, or
    words with or without accents)."""
    from django.db.models import Q

    from portal.vietnamese import nfc

    text = nfc(query).strip()
    if not text:
        return []
    key = document_number_key(text)
    condition = Q(number__icontains=text) | Q(slug__icontains=text)
    if key:
        condition |= Q(number_key=key)
    condition |= Q(title__unaccent__icontains=text)
    return list(
        Document.objects.filter(condition)
        .select_related("issuer")
        .order_by("-issued_year", "slug")[:limit]
    )
