from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import Indicator, IndicatorValue
from indicators.services import indicator_save
from indicators.targets import TargetParseError
from portal.admin import NfcAdminMixin, NfcModelForm


class IndicatorForm(NfcModelForm):
    def clean(self):  # type: ignore[no-untyped-def]
        from indicators.targets import parse_indicator_target

        data = super().clean()
        try:
            parse_indicator_target(data.get("name") or "", data.get("target_text") or "")
        except TargetParseError as exc:
            self.add_error("target_text", str(exc))
        return data


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    form = IndicatorForm

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        indicator_save(indicator=obj)

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
class IndicatorValueAdmin(NfcAdminMixin, SimpleHistoryAdmin):
    list_display = ["indicator", "scope", "year", "value", "state", "source"]
    list_filter = ["state", "year"]
    list_select_related = ["indicator", "scope"]
    autocomplete_fields = ["indicator", "scope", "entered_by", "decided_by"]
