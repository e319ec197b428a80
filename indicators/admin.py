from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import Indicator, IndicatorValue


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "target_text", "target_kind", "target_year", "scope"]
    list_filter = ["target_kind", "group", "document"]
    search_fields = ["code", "name", "target_text"]
    list_select_related = ["scope", "document"]
    autocomplete_fields = ["document", "scope", "tasks"]
    # The parsed target comes from the phrase as printed.
    readonly_fields = [
        "target_kind",
        "comparator",
        "target_low",
        "target_high",
        "shares",
        "per_year",
        "target_normalized",
    ]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "scope", "year", "value", "state", "source"]
    list_filter = ["state", "year"]
    list_select_related = ["indicator", "scope"]
    autocomplete_fields = ["indicator", "scope", "entered_by", "decided_by"]
