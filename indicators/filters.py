"""FilterSets for indicator lists, shared by the pages and the API."""

from __future__ import annotations

import django_filters

from indicators.models import IndicatorValue


class IndicatorValueFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year")
    province = django_filters.NumberFilter(field_name="scope_id", help_text="Id tỉnh (phạm vi).")
    indicator = django_filters.NumberFilter(field_name="indicator_id", help_text="Id chỉ tiêu.")

    class Meta:
        model = IndicatorValue
        fields: list[str] = []
