"""The low-efficiency lists' filter (page and export share it), the status form and the manual addition."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from gongqiang.lib.uscc import normalise

from .compute.lists import NAMES, TRANSITIONS
from .models import ExitKind, ListStatus

YEAR_MIN, YEAR_MAX = 2000, 2100


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


def _year(value: str) -> int | None:
    return int(value) if value.isdigit() and YEAR_MIN <= int(value) <= YEAR_MAX else None


@dataclass(frozen=True)
class EntryFilter:
    """Every parameter is optional; a value that is not one of the known ones is ignored (never a 500)."""

    q: str = ""
    region: str = ""
    year: str = ""
    status: str = ""
    first_batch: str = ""  # "1" | "0" | ""
    group: str = ""
    manual: str = ""  # "1" | "0" | ""

    @classmethod
    def from_params(cls, params: Any) -> EntryFilter:
        def get(name: str) -> str:
            value = params.get(name) if hasattr(params, "get") else None
            return str(value).strip()[:100] if value else ""

        return cls(
            q=get("q"),
            region=get("region"),
            year=get("year"),
            status=get("status"),
            first_batch=get("first_batch"),
            group=get("group"),
            manual=get("manual"),
        )

    def apply(self, qs: QuerySet) -> QuerySet:
        if self.q:
            code = normalise(self.q)
            qs = qs.filter(Q(enterprise__name__icontains=self.q) | Q(enterprise__uscc__startswith=code))
        if self.region:
            qs = qs.filter(region__code=self.region)
        year = _year(self.year)
        if year is not None:
            qs = qs.filter(cohort_year=year)
        if self.status == "open":
            qs = qs.filter(status__in=[ListStatus.LISTED, ListStatus.IN_PROGRESS])
        elif self.status in ListStatus.values:
            qs = qs.filter(status=self.status)
        if self.first_batch in ("1", "0"):
            qs = qs.filter(first_batch=self.first_batch == "1")
        if self.group:
            qs = qs.filter(group=self.group)
        if self.manual in ("1", "0"):
            qs = qs.filter(manual=self.manual == "1")
        return qs

    @property
    def active(self) -> bool:
        return any((self.q, self.region, self.year, self.status, self.first_batch, self.group, self.manual))

    def describe(self, regions: dict[str, str], groups: dict[str, str]) -> str:
        """The filter in words, for the workbook's title line."""
        parts = []
        if self.region:
            parts.append(regions.get(self.region, self.region))
        if _year(self.year) is not None:
            parts.append(f"{self.year}年列入")
        if self.status == "open":
            parts.append("未销号（待整治、整治中）")
        elif self.status in ListStatus.values:
            parts.append(ListStatus(self.status).label)
        if self.first_batch in ("1", "0"):
            parts.append("首批" if self.first_batch == "1" else "非首批")
        if self.group:
            parts.append(groups.get(self.group, self.group))
        if self.manual in ("1", "0"):
            parts.append("人工列入" if self.manual == "1" else "评价列入")
        if self.q:
            parts.append(f"含“{self.q}”")
        return "、".join(parts) or "全部"


class StatusForm(forms.Form):
    """A change of an entry's status; the legal next states are the only choices."""

    status = forms.ChoiceField(label="新状态")
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    exit_kind = forms.ChoiceField(
        label="出清方式（出清时必选）", required=False, choices=[("", "—")] + list(ExitKind.choices)
    )
    note = forms.CharField(
        label="佐证或理由",
        required=False,
        max_length=2000,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "placeholder": "如：关停文件文号、土地收回决定书、提升后的亩均税收；移出须写明理由",
            }
        ),
    )

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (s, NAMES[s]) for s in ListStatus.values if s in TRANSITIONS.get(current, set())
        ]
        _bootstrap(self)

    def clean_date(self) -> dt.date:
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("日期不能晚于今天。")
        if date.year < YEAR_MIN:
            raise forms.ValidationError("日期有误。")
        return date


class ManualAddForm(forms.Form):
    uscc = forms.CharField(label="统一社会信用代码", max_length=40)
    year = forms.IntegerField(label="列入年度", min_value=YEAR_MIN, max_value=YEAR_MAX)
    reason = forms.CharField(
        label="列入理由",
        max_length=280,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "如：长期停产、土地闲置，经县区核实"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean_uscc(self) -> str:
        return normalise(self.cleaned_data["uscc"])

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError("列入年度不能晚于今年。")
        return year
