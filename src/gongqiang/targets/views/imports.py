"""Uploading target values or a county split from Excel; templates and error reports to download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views import View

from gongqiang.core.views.base import MemberRequiredMixin, ScopedDetailView, ScopedListView
from gongqiang.lib.http import attachment

from ..forms import UploadForm
from ..models import ImportKind, TargetImport
from ..services.access import WRITERS, can_split
from ..services.catalog import catalog
from ..services.imports import HEADER, import_observations, template
from ..services.splits import HEADER as SPLIT_HEADER
from ..services.splits import import_split, split_template
from ..services.workbooks import error_workbook


class ImportView(ScopedListView):
    """The upload form and the user's previous uploads."""

    model = TargetImport
    allowed_roles = WRITERS
    template_name = "targets/import.html"
    breadcrumbs = (("目标与驾驶舱", None), ("数据导入", None))
    paginate_by = 20

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(form=UploadForm(), can_split=can_split(self.request.user))
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES)
        kind = request.POST.get("kind", ImportKind.OBSERVATIONS)
        if not form.is_valid():
            messages.error(request, "请选择要上传的 Excel 文件。")
            return HttpResponseRedirect(reverse("targets:import"))
        upload = form.cleaned_data["file"]
        data = upload.read()
        cat = catalog()
        if kind == ImportKind.SPLIT:
            if not can_split(request.user):
                raise PermissionDenied("只有市级用户可以分解目标。")
            batch = import_split(request.user, cat, data, upload.name)
        else:
            batch = import_observations(request.user, cat, data, upload.name, timezone.localdate())
        if batch.errors:
            messages.error(request, f"文件有 {len(batch.errors)} 处错误，未写入任何数据。")
        else:
            messages.success(request, f"已写入 {batch.written} 条。")
        return HttpResponseRedirect(reverse("targets:import-detail", args=[batch.pk]))


class TemplateView(MemberRequiredMixin, View):
    allowed_roles = WRITERS

    def get(self, request: HttpRequest) -> HttpResponse:
        return attachment(template(request.user, catalog(), timezone.localdate()), "目标数据导入模板.xlsx")


class SplitTemplateView(MemberRequiredMixin, View):
    allowed_roles = frozenset({"admin", "city"})

    def get(self, request: HttpRequest) -> HttpResponse:
        return attachment(split_template(catalog()), "目标分解导入模板.xlsx")


class ImportDetailView(ScopedDetailView):
    model = TargetImport
    template_name = "targets/import_detail.html"
    allowed_roles = WRITERS

    def get_breadcrumbs(self) -> list[tuple[str, str | None]]:
        return [("目标与驾驶舱", None), ("数据导入", "targets:import"), (self.object.file_name, None)]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        batch = self.object
        context["observations"] = batch.observations.select_related("region")[:500]
        context["allocations"] = batch.allocations.select_related("region")[:500]
        return context


class ImportErrorsView(MemberRequiredMixin, View):
    model = TargetImport
    allowed_roles = WRITERS

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = TargetImport.objects.visible_to(request.user).filter(pk=pk).first()
        if batch is None:
            from django.http import Http404

            raise Http404("未找到，或不在您的数据范围内。")
        header = SPLIT_HEADER if batch.kind == ImportKind.SPLIT else HEADER
        rows: dict[int, list[Any]] = {}
        try:
            from ..services.workbooks import read_sheet

            sheet = read_sheet(batch.file.read(), (header[0],))
            rows = {n: cells for n, cells in sheet.rows}
        except Exception:  # the file itself was unreadable: the report still lists the reasons
            rows = {}
        return attachment(error_workbook(header, rows, batch.errors), f"错误报告-{batch.pk}.xlsx")
