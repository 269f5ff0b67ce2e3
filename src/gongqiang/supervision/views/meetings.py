"""County industry meetings (工业专题研究与调研) and typical cases (一县一经验)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import CreateView

from gongqiang.core.navigation import roles_of
from gongqiang.core.views.base import MemberRequiredMixin, ScopedDetailView, ScopedListView, ScopedWriteMixin

from ..forms import CaseForm, MeetingForm
from ..models import IndustryMeeting, TypicalCase
from ..services.dispatch import DispatchRefused, parse_month
from ..services.meetings import CaseRefused, monthly_counts, publish_case
from .common import STAFF

COUNTY_WRITERS = frozenset({"admin", "city", "county"})


class MeetingListView(ScopedListView):
    model = IndustryMeeting
    allowed_roles = STAFF
    template_name = "supervision/meetings.html"
    breadcrumbs = (("督导考核", None), ("工业专题研究", None))

    def base_queryset(self):
        return super().base_queryset().select_related("region")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        year, month = today.year, today.month
        if self.request.GET.get("month"):
            try:
                year, month = parse_month(self.request.GET["month"])
            except DispatchRefused as exc:
                context["failure"] = str(exc)
        context.update(counts=monthly_counts(self.request.user, year, month), year=year, month=month,
                       can_add=bool(roles_of(self.request.user) & COUNTY_WRITERS))
        return context


class MeetingCreateView(ScopedWriteMixin, CreateView):
    model = IndustryMeeting
    form_class = MeetingForm
    allowed_roles = COUNTY_WRITERS
    template_name = "supervision/form.html"
    success_message = "已登记。"
    breadcrumbs = (("督导考核", None), ("工业专题研究", "supervision:meetings"), ("登记", None))

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_success_url(self) -> str:
        return reverse("supervision:meetings")


class CaseListView(ScopedListView):
    model = TypicalCase
    allowed_roles = STAFF
    template_name = "supervision/cases.html"
    breadcrumbs = (("督导考核", None), ("典型经验", None))

    def base_queryset(self):
        return super().base_queryset().select_related("region", "line")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_add"] = bool(roles_of(self.request.user) & COUNTY_WRITERS)
        return context


class CaseCreateView(ScopedWriteMixin, CreateView):
    model = TypicalCase
    form_class = CaseForm
    allowed_roles = COUNTY_WRITERS
    template_name = "supervision/form.html"
    success_message = "已提交，待市级审核发布。"
    breadcrumbs = (("督导考核", None), ("典型经验", "supervision:cases"), ("填报", None))

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_success_url(self) -> str:
        return reverse("supervision:case", args=[self.object.pk])


class CaseDetailView(ScopedDetailView):
    model = TypicalCase
    allowed_roles = STAFF
    template_name = "supervision/case_detail.html"

    def get_breadcrumbs(self) -> list[tuple[str, str | None]]:
        return [("督导考核", None), ("典型经验", "supervision:cases"), (self.object.title, None)]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_publish"] = bool(roles_of(self.request.user) & {"admin", "city"}) and self.object.status == "draft"
        return context


class CasePublishView(MemberRequiredMixin, View):
    model = TypicalCase
    allowed_roles = STAFF

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = get_object_or_404(TypicalCase.objects.visible_to(request.user).only("pk"), pk=pk)
        return HttpResponseRedirect(reverse("supervision:case", args=[case.pk]))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = get_object_or_404(TypicalCase.objects.visible_to(request.user), pk=pk)
        try:
            publish_case(request.user, case)
        except CaseRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已发布。")
        return HttpResponseRedirect(reverse("supervision:case", args=[case.pk]))
