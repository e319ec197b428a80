"""Parameters of the report pages (parsing only; the rules are in selectors and services)."""

from __future__ import annotations

from django import forms

from reports.layout import CAPACITIES
from reports.models import PeriodChoices
from reports.periods import PeriodKind, ReportPeriod

FORMATS = (("html", "Xem trước"), ("docx", "Word (.docx)"), ("pdf", "PDF"))


class PeriodForm(forms.Form):
    year = forms.IntegerField(label="Năm", min_value=2000, max_value=2100)
    period = forms.ChoiceField(label="Kỳ báo cáo", choices=PeriodChoices.choices)
    format = forms.ChoiceField(label="Định dạng", choices=FORMATS, required=False)
    capacity = forms.ChoiceField(
        label="Thẩm quyền ký",
        choices=[(key, label) for key, (label, _, _) in CAPACITIES.items()],
        required=False,
    )
    on_behalf_of = forms.CharField(label="Thay mặt / ký thay cho", max_length=120, required=False)
    title = forms.CharField(label="Chức vụ người ký", max_length=120, required=False)
    name = forms.CharField(label="Họ tên người ký", max_length=120, required=False)

    def report_period(self) -> ReportPeriod:
        return ReportPeriod(self.cleaned_data["year"], PeriodKind(self.cleaned_data["period"]))


class UnitPeriodForm(PeriodForm):
    unit = forms.IntegerField(label="Đơn vị", min_value=1)


class SummaryForm(PeriodForm):
    format = forms.ChoiceField(
        label="Định dạng", choices=(*FORMATS, ("xlsx", "Excel (.xlsx)")), required=False
    )


class SignedReportForm(forms.Form):
    unit = forms.IntegerField(min_value=1)
    year = forms.IntegerField(min_value=2000, max_value=2100)
    period = forms.ChoiceField(choices=PeriodChoices.choices)
    file = forms.FileField(label="Báo cáo đã ký (PDF)")
