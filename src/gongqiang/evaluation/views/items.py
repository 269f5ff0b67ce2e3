"""加减分及否决事项: the list (scoped), entry one by one, removal, and the Excel import with its error report."""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View

from gongqiang.core.scope import ScopeViolation, delete_scoped
from gongqiang.core.views.base import MemberRequiredMixin, ScopedListView
from gongqiang.enterprises.models import Enterprise
from gongqiang.lib.http import attachment
from gongqiang.lib.uscc import normalise

from ..models import ItemFlag
from ..services import items as service

WRITERS = frozenset({"admin", "city", "department", "county"})
STAFF = frozenset({"admin", "city", "leader", "department", "county"})
MAX_UPLOAD = 5 * 2**20
SESSION_KEY = "evaluation_item_errors"
CRUMBS = (("亩产效益评价", None), ("加减分及否决事项", None))


def _year(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and 1990 <= int(text) <= 2100 else None


class ItemListView(ScopedListView):
    model = ItemFlag
    allowed_roles = STAFF
    template_name = "evaluation/items.html"
    breadcrumbs = CRUMBS

    def get_queryset(self) -> QuerySet:
        qs = (
            super()
            .get_queryset()
            .select_related("enterprise", "enterprise__region")
            .order_by("-year", "item", "enterprise__name")
        )
        g = self.request.GET
        if (year := _year(g.get("year"))) is not None:
            qs = qs.filter(year=year)
        if g.get("item") in service.item_names():
            qs = qs.filter(item=g["item"])
        if q := g.get("q", "").strip():
            qs = qs.filter(enterprise__name__contains=q) | qs.filter(enterprise__uscc=normalise(q))
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["names"] = service.item_names()
        context["years"] = sorted(
            set(ItemFlag.objects.visible_to(self.request.user).values_list("year", flat=True)), reverse=True
        )
        context["can_write"] = bool(self.request.user.is_authenticated) and _writes(self.request)
        return context


def _writes(request: HttpRequest) -> bool:
    from gongqiang.core.navigation import roles_of

    return bool(roles_of(request.user) & WRITERS)


class ItemAddView(MemberRequiredMixin, View):
    allowed_roles = WRITERS

    def post(self, request: HttpRequest) -> HttpResponse:
        uscc = normalise(request.POST.get("uscc", ""))
        year = _year(request.POST.get("year"))
        enterprise = Enterprise.objects.visible_to(request.user).filter(uscc=uscc).first()
        if enterprise is None:
            messages.error(request, f"找不到统一社会信用代码为“{uscc}”的企业（或不在您的管辖范围内）。")
        elif year is None:
            messages.error(request, "请填写有效的年度（四位数字）。")
        else:
            try:
                service.add(
                    enterprise,
                    year,
                    request.POST.get("item", ""),
                    request.POST.get("evidence", ""),
                    request.user,
                )
                messages.success(
                    request,
                    f"已登记：{enterprise.name} {year}年 "
                    f"{service.item_names().get(request.POST.get('item', ''), '')}。",
                )
            except (service.ItemRefused, ScopeViolation) as exc:
                messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("evaluation:items"))


class ItemDeleteView(MemberRequiredMixin, View):
    allowed_roles = WRITERS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        flag = get_object_or_404(ItemFlag.objects.writable_by(request.user), pk=pk)
        delete_scoped(flag, request.user)
        messages.success(request, "已删除该事项。")
        return HttpResponseRedirect(reverse("evaluation:items"))


class ItemImportView(MemberRequiredMixin, View):
    allowed_roles = WRITERS
    template_name = "evaluation/items_import.html"

    def _context(self, **extra: Any) -> dict[str, Any]:
        return {
            "breadcrumbs": [*CRUMBS[:1], ("加减分及否决事项", "evaluation:items"), ("导入", None)],
            "header": service.HEADER,
            **extra,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, self._context())

    def post(self, request: HttpRequest) -> HttpResponse:
        upload = request.FILES.get("file")
        valid_rows = request.POST.get("mode") == "valid_rows"
        context = self._context(mode="valid_rows" if valid_rows else "all")
        if upload is None:
            context["failure"] = "请选择要上传的 Excel 文件。"
        elif upload.size > MAX_UPLOAD:
            context["failure"] = "文件超过 5 MB，请拆分后上传。"
        else:
            outcome = service.import_items(upload.read(), request.user, valid_rows=valid_rows)
            context["errors"] = outcome.errors
            if outcome.error_report:
                request.session[SESSION_KEY] = base64.b64encode(outcome.error_report).decode()
                context["has_report"] = True
            if outcome.errors and not valid_rows:
                context["failure"] = f"文件有 {len(outcome.errors)} 处错误，未写入任何事项。"
            else:
                text = f"已写入 {outcome.written} 条事项"
                if outcome.duplicates:
                    text += f"，{outcome.duplicates} 条此前已登记，已跳过"
                if outcome.errors:
                    text += f"；{len(outcome.errors)} 行有错误未写入，请下载错误报告"
                messages.success(request, text + "。")
        return render(request, self.template_name, context)


class ItemErrorReportView(MemberRequiredMixin, View):
    allowed_roles = WRITERS

    def get(self, request: HttpRequest) -> HttpResponse:
        data = request.session.get(SESSION_KEY)
        if not data:
            raise Http404("没有可下载的错误报告")
        return attachment(base64.b64decode(data), "事项导入错误报告.xlsx")


class ItemTemplateView(MemberRequiredMixin, View):
    allowed_roles = WRITERS

    def get(self, request: HttpRequest) -> HttpResponse:
        return attachment(service.template(), "加减分及否决事项模板.xlsx")
