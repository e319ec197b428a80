"""Forms of the document pages: they parse and shape input; ``documents.services`` decides."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Unit
from documents.choices import DocumentKind
from documents.models import Document


class DocumentForm(forms.Form):
    number = forms.CharField(
        label="Số, ký hiệu (như in)",
        max_length=60,
        required=False,
        help_text="Ví dụ 26-CTr/TU, 96/NQ-CP, 09/2019/NĐ-CP. Để trống nếu văn bản không có số.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    kind = forms.ChoiceField(
        label="Loại văn bản",
        choices=[("", "— theo số, ký hiệu —"), *DocumentKind.choices],
        required=False,
    )
    issuer = forms.ModelChoiceField(label="Cơ quan ban hành", queryset=Unit.objects.none())
    title = forms.CharField(
        label="Trích yếu", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    issued_on = forms.DateField(
        label="Ngày ban hành (dd/mm/yyyy)",
        required=False,
        input_formats=["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"],
        error_messages={"invalid": "Ngày phải viết dd/mm/yyyy, ví dụ 28/12/2022."},
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
    )
    signer_title = forms.CharField(
        label="Thẩm quyền ký (T/M, K/T...)", max_length=120, required=False
    )
    signer = forms.CharField(label="Người ký", max_length=120, required=False)
    horizon = forms.CharField(
        label="Thời kỳ, tầm nhìn", max_length=200, required=False, help_text="Ví dụ: đến năm 2030"
    )
    horizon_year = forms.IntegerField(
        label="Năm mục tiêu", required=False, min_value=1945, max_value=2100
    )
    implements = forms.ModelMultipleChoiceField(
        label="Triển khai thực hiện văn bản", queryset=Document.objects.all(), required=False
    )
    continues = forms.ModelMultipleChoiceField(
        label="Tiếp tục thực hiện văn bản", queryset=Document.objects.all(), required=False
    )
    full_text = forms.CharField(
        label="Toàn văn (không bắt buộc)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    attachment = forms.FileField(
        label="Tệp văn bản đã ký (PDF hoặc .docx, không bắt buộc)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )

    def __init__(self, *args: Any, issuers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers  # type: ignore[attr-defined]
