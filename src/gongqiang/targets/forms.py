"""Forms of the targets app. Values arrive as text: the service parses them and says what is wrong."""

from __future__ import annotations

from django import forms

from .compute import STATUS_LABELS, Status


class ObservationForm(forms.Form):
    region = forms.ChoiceField(label="区域")
    period = forms.CharField(label="期间", max_length=20, help_text="如 2025、2025Q3（1–9月累计）、2025-10")
    value = forms.CharField(label="数值", max_length=40)
    unit = forms.ChoiceField(label="单位", required=False)  # empty: the target's own unit
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
    attachment = forms.FileField(label="附件（佐证材料）", required=False)

    def __init__(self, *args, regions: list[tuple[str, str]], units: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions
        self.fields["unit"].choices = [(u, u) for u in units]


class OverrideForm(forms.Form):
    region = forms.ChoiceField(label="区域")
    status = forms.ChoiceField(label="认定状态", required=False)
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False)

    def __init__(self, *args, regions: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions
        self.fields["status"].choices = [("", "（撤销人工认定，恢复计算结果）")] + [
            (s.value, STATUS_LABELS[s]) for s in Status if s != Status.tracked
        ]

    def clean(self):
        data = super().clean()
        if data.get("status") and not (data.get("reason") or "").strip():
            self.add_error("reason", "人工认定状态须写明理由。")
        return data


class UploadForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")
