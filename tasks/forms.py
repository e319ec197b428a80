"""Forms only parse and shape input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from portal.periods import QUARTER_CHOICES as QUARTERS
from portal.vietnamese import nfc_multiline


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):  # type: ignore[no-untyped-def]
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ReportForm(forms.Form):
    year = forms.IntegerField(label="Năm", min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label="Quý", choices=QUARTERS, coerce=int)
    percent = forms.IntegerField(
        label="Tỷ lệ hoàn thành (%)",
        min_value=0,
        max_value=100,
        error_messages={
            "min_value": "Tỷ lệ hoàn thành phải từ 0 đến 100%%.",
            "max_value": "Tỷ lệ hoàn thành phải từ 0 đến 100%%.",
        },
    )
    narrative = forms.CharField(
        label="Kết quả thực hiện",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
    )
    completed_on = forms.DateField(
        label="Ngày hoàn thành (nếu đã xong)",
        required=False,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    files = MultipleFileField(label="Minh chứng (PDF, Word, Excel, ảnh)", required=False)

    def clean_narrative(self) -> str:
        return nfc_multiline(self.cleaned_data.get("narrative"))

    def clean_completed_on(self):  # type: ignore[no-untyped-def]
        day = self.cleaned_data.get("completed_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError("Ngày hoàn thành không được sau ngày hôm nay.")
        return day


class DecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Lý do trả lại",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Ý kiến", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class TaskListForm(forms.Form):
    """The page's own controls, translated into the shared TaskFilter's parameters."""

    q = forms.CharField(label="Tìm kiếm", required=False)
    role = forms.ChoiceField(
        label="Vai trò",
        required=False,
        choices=[
            ("", "Chủ trì và phối hợp"),
            ("lead", "Chủ trì"),
            ("coordinate", "Phối hợp"),
        ],
    )
    year = forms.IntegerField(label="Năm hạn", required=False, min_value=1945, max_value=2100)
    quarter = forms.TypedChoiceField(
        label="Quý hạn",
        required=False,
        coerce=int,
        choices=[("", "Mọi quý"), *QUARTERS],
        empty_value=None,
    )


class ExplanationRequestForm(forms.Form):
    unit = forms.ModelChoiceField(label="Đơn vị giải trình", queryset=None, empty_label=None)
    question = forms.CharField(
        label="Nội dung yêu cầu", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    answer_by = forms.DateField(
        label="Hạn giải trình", widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    )

    def __init__(self, *args, units=(), **kwargs):  # type: ignore[no-untyped-def]
        from accounts.models import Unit

        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])


class TaskEventForm(forms.Form):
    """The event an event-triggered task waits for and the due date it sets."""

    event_on = forms.DateField(
        label="Ngày sự kiện xảy ra", widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    )
    due_on = forms.DateField(
        label="Hạn hoàn thành do sự kiện đặt ra",
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )


class ExplanationAnswerForm(forms.Form):
    answer = forms.CharField(
        label="Nội dung giải trình", widget=forms.Textarea(attrs={"rows": 3}), max_length=20000
    )


class TrackHandOverForm(forms.Form):
    """Pick the unit that answers for an ended unit's open track from now on."""

    unit = forms.ModelChoiceField(
        label="Đơn vị tiếp nhận", queryset=None, empty_label="— chọn đơn vị —"
    )

    def __init__(self, *args, units=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ExtensionRequestForm(forms.Form):
    """A lead unit's request to extend the task's due date (đề nghị gia hạn)."""

    unit = forms.ModelChoiceField(label="Đơn vị đề nghị", queryset=None, empty_label=None)
    proposed_due_on = forms.DateField(
        label="Đề nghị gia hạn đến ngày",
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}),
    )
    reason = forms.CharField(
        label="Lý do đề nghị gia hạn", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, units=(), **kwargs):  # type: ignore[no-untyped-def]
        from accounts.models import Unit

        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=list(units))

    def clean_reason(self) -> str:
        return nfc_multiline(self.cleaned_data.get("reason"))


class ExtensionDecisionForm(forms.Form):
    """The assigning body's or reviewer's decision: agree, or refuse with a reason."""

    decision = forms.ChoiceField(
        label="Quyết định", choices=[("approve", "Đồng ý gia hạn"), ("refuse", "Không đồng ý")]
    )
    note = forms.CharField(
        label="Ý kiến (bắt buộc khi không đồng ý)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def clean_note(self) -> str:
        return nfc_multiline(self.cleaned_data.get("note"))
