from __future__ import annotations

from typing import Any

from django import forms

from gongqiang.core.models import Region
from gongqiang.core.models.org import COUNTY_LEVEL_KINDS

from .models import IndustryMeeting, TaskLine, TypicalCase


def _county_choices(user: Any):
    return Region.objects.writable_by(user).filter(kind__in=COUNTY_LEVEL_KINDS).order_by("sort_order")


class MeetingForm(forms.ModelForm):
    class Meta:
        model = IndustryMeeting
        fields = ["region", "held_on", "kind", "title", "leader", "notes"]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"}), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _county_choices(user)
        self.user = user

    def save(self, commit: bool = True):
        obj = super().save(commit=False)
        obj.created_by_name = self.user.display_name or self.user.get_username()
        if commit:
            obj.save()
        return obj


class CaseForm(forms.ModelForm):
    class Meta:
        model = TypicalCase
        fields = ["region", "line", "title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _county_choices(user)
        self.fields["line"].queryset = TaskLine.objects.visible_to(user)
        self.user = user

    def save(self, commit: bool = True):
        obj = super().save(commit=False)
        obj.created_by_name = self.user.display_name or self.user.get_username()
        if commit:
            obj.save()
        return obj
