from __future__ import annotations

from typing import Any

from django import forms

from gongqiang.core.models import Region
from gongqiang.lib.uscc import normalise, uscc_error

from .models import Enterprise


class EnterpriseForm(forms.ModelForm):
    """Regions offered are those the user may write to; the scope recheck on save is the real guard."""

    class Meta:
        model = Enterprise
        fields = ["uscc", "name", "region", "town", "industry_code", "above_scale", "status"]
        help_texts = {
            "uscc": "18 位，末位为校验码；大小写、全角均可输入。",
            "industry_code": "国民经济行业分类（GB/T 4754-2017）2 至 4 位代码，如 2021。",
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = Region.objects.writable_by(user)
        self.fields["region"].queryset = regions.filter(kind__in=["district", "county", "zone"])
        self.fields["town"].queryset = regions.filter(kind="town")
        self.fields["town"].required = False
        if self.instance.pk:
            self.fields["uscc"].disabled = True  # the key of the registry never changes by hand

    def clean_uscc(self) -> str:
        value = normalise(self.cleaned_data["uscc"])
        error = uscc_error(value)
        if error:
            raise forms.ValidationError(error)
        return value

    def clean_industry_code(self) -> str:
        code = self.cleaned_data["industry_code"].strip()
        if not (code.isdigit() and 2 <= len(code) <= 4):
            raise forms.ValidationError("行业代码应为 2 至 4 位数字。")
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        region, town = data.get("region"), data.get("town")
        if region and town and not town.path.startswith(region.path):
            self.add_error("town", "乡镇街道不属于所选县区。")
        return data
