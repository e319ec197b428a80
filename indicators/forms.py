"""Forms only parse and shape input; the services decide (numbers, years, permissions)."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms

from accounts.models import Unit
from tasks.models import Task

NOTE_MAX = 100  # the history record's change reason column


class ValueForm(forms.Form):
    """One value of an indicator for one scope and year. The value is kept as typed
    ("1.234,5"): the service reads it, so an error message can quote it back."""

    scope = forms.ModelChoiceField(
        label="Tỉnh / phạm vi",
        queryset=Unit.objects.none(),
        error_messages={"invalid_choice": "Phạm vi đã chọn không thuộc chỉ tiêu này."},
    )
    year = forms.IntegerField(
        label="Năm",
        error_messages={"invalid": "Năm phải là một số nguyên, ví dụ 2024."},
    )
    value_text = forms.CharField(
        label="Giá trị",
        max_length=40,
        help_text="Viết kiểu Việt Nam: 1.234,5 (dấu chấm tách hàng nghìn, dấu phẩy thập phân).",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    source = forms.CharField(label="Nguồn số liệu", max_length=300)
    note = forms.CharField(
        label="Ghi chú (không bắt buộc)",
        max_length=NOTE_MAX,
        required=False,
        error_messages={"max_length": f"Ghi chú tối đa {NOTE_MAX} ký tự."},
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: object, scopes: Iterable[Unit], allowed: Iterable[Unit], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["scope"]
        # Any scope of the indicator is accepted here (the service decides who may enter
        # which); only the scopes the user may enter are offered.
        field.queryset = Unit.objects.filter(pk__in=[u.pk for u in scopes])  # type: ignore[attr-defined]
        field.widget.choices = [(u.pk, u.name) for u in allowed]


class DecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Lý do trả lại", required=False, max_length=5000)


class LinkTaskForm(forms.Form):
    task = forms.ModelChoiceField(
        label="Nhiệm vụ",
        queryset=Task.objects.none(),
        error_messages={"invalid_choice": "Nhiệm vụ đã chọn không thuộc văn bản này."},
    )

    def __init__(self, *args: object, tasks: Iterable[Task], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["task"]
        choices = list(tasks)
        field.queryset = Task.objects.filter(pk__in=[t.pk for t in choices])  # type: ignore[attr-defined]
        field.widget.choices = [("", "— Chọn nhiệm vụ —")] + [
            (t.pk, f"{t.ref} – {t.title[:90]}") for t in choices
        ]


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Tệp Excel (.xlsx)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    source = forms.CharField(
        label="Nguồn số liệu (khi tệp không có cột «Nguồn»)", max_length=300, required=False
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data.get("file")
        if upload and not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("Chỉ nhận tệp Excel .xlsx.")
        return upload
