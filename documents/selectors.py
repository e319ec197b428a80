"""Reads of documents and their chain."""

from __future__ import annotations

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
    transitively) and below (what implements it), loading all edges in one query."""
    up: dict[int, set[int]] = defaultdict(set)
    down: dict[int, set[int]] = defaultdict(set)
    for source_id, target_id in DocumentRelation.objects.values_list("source_id", "target_id"):
        up[source_id].add(target_id)
        down[target_id].add(source_id)

    def walk(graph: dict[int, set[int]]) -> list[int]:
        seen: list[int] = []
        frontier = [document.pk]
        while frontier:
            nxt = []
            for node in frontier:
                for other in sorted(graph.get(node, ())):
                    if other not in seen and other != document.pk:
                        seen.append(other)
                        nxt.append(other)
            frontier = nxt
        return seen

    above_ids, below_ids = walk(up), walk(down)
    docs = Document.objects.in_bulk(above_ids + below_ids)
    return [docs[i] for i in above_ids], [docs[i] for i in below_ids]


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
