"""Admin plumbing: every text typed in the admin is stored NFC, like everywhere else."""

from __future__ import annotations

from typing import Any

from django import forms

from portal.vietnamese import nfc_multiline


class NfcModelForm(forms.ModelForm):
    """Normalise every text field to NFC (with white space folded) before validation."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str):
                data[name] = nfc_multiline(value)
        return data


class NfcAdminMixin:
    form = NfcModelForm
