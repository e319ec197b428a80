"""FilterSets for unit lists, shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from accounts.choices import UnitKind
from accounts.models import Unit
from portal.vietnamese import nfc, strip_accents


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", help_text="Tìm trong tên, không phân biệt dấu và hoa thường."
    )
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices)

    class Meta:
        model = Unit
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Unit], name: str, value: str) -> QuerySet[Unit]:
        words = strip_accents(nfc(value))
        if not words:
            return queryset
        return queryset.filter(name__unaccent__icontains=words)
