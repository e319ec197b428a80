from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import MUTABLE_KINDS, Mode


class PreferenceForm(forms.Form):
    mode = forms.ChoiceField(label=_("Cách nhận thư"), choices=Mode.choices)
    muted_kinds = forms.MultipleChoiceField(
        label=_("Không nhận các loại"),
        choices=[(kind.value, kind.label) for kind in MUTABLE_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
