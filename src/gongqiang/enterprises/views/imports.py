"""Department imports as pages: sources and templates, upload, preview, commit with progress,
error report, rollback. The work itself is in services/imports.py; these views only ask and show."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView

from gongqiang.core.models import Region
from gongqiang.core.navigation import roles_of
from gongqiang.core.services.policy import active_spec
from gongqiang.core.views.base import Breadcrumbs, MemberRequiredMixin, ScopedDetailView, ScopedListView
from gongqiang.lib.http import attachment

from ..models import BatchStatus, CommitMode, ImportBatch
from ..services import imports as import_services

IMPORTERS = frozenset({"admin", "city", "department", "county"})


def importable_sources(user: Any) -> list[Any]:
    """The pack's sources this user may import (departments: their own; city and counties: all)."""
    spec = active_spec()
    if spec is None:
        return []
    return [s for s in spec.import_sources if import_services.may_import(user, s.code)]


class ImportBatchListView(ScopedListView):
    model = ImportBatch
    allowed_roles = IMPORTERS | {"leader"}
    template_name = "enterprises/import_list.html"
    breadcrumbs = (("企业库", None), ("数据导入", None))
    paginate_by = 30

    def get_queryset(self):
        qs = self.base_queryset().select_related("department", "region")
        g = self.request.GET
        if g.get("source"):
            qs = qs.filter(source=g["source"])
        if (g.get("year") or "").isdigit():
            qs = qs.filter(year=int(g["year"]))
        if g.get("status") in BatchStatus.values:
            qs = qs.filter(status=g["status"])
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        spec = active_spec()
        context.update(
            sources=importable_sources(self.request.user),
            all_sources={s.code: s.name for s in spec.import_sources} if spec else {},
            statuses=BatchStatus.choices,
            filters=self.request.GET,
            template_year=timezone.localdate().year - 1,
        )
        return context


class UploadForm(forms.Form):
    source = forms.ChoiceField(label="数据来源")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    file = forms.FileField(label="文件（.xlsx / .xls / .csv）")
    mode = forms.ChoiceField(label="有错误行时", choices=CommitMode.choices, initial=CommitMode.ALL_OR_NOTHING,
                             widget=forms.RadioSelect)
    create_unknown = forms.BooleanField(label="企业库中没有的企业：自动建档（否则作为错误行）", required=False)

    def __init__(self, *args: Any, sources: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(s.code, s.name) for s in sources]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.UPLOAD_MAX_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(f"文件大小 {upload.size / 1048576:.1f} MB，超过上限 {settings.UPLOAD_MAX_MB} MB。")
        if not upload.name.lower().endswith((".xlsx", ".xls", ".csv")):
            raise forms.ValidationError("只接受 .xlsx、.xls 或 .csv 文件。")
        return upload


class ImportUploadView(MemberRequiredMixin, Breadcrumbs, FormView):
    allowed_roles = IMPORTERS
    template_name = "enterprises/import_upload.html"
    form_class = UploadForm
    breadcrumbs = (("企业库", None), ("数据导入", "enterprises:imports"), ("上传文件", None))

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["sources"] = importable_sources(self.request.user)
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        return {"year": timezone.localdate().year - 1, "source": self.request.GET.get("source", "")}

    def form_valid(self, form: UploadForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            batch = import_services.stage(
                data["file"].read(), data["file"].name, source=data["source"], year=data["year"],
                user=self.request.user, mode=data["mode"], create_unknown=data["create_unknown"],
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or "您无权导入该数据来源。")
            return self.form_invalid(form)
        if batch.status == BatchStatus.FAILED:
            messages.error(self.request, f"文件未能导入：{batch.message}")
        else:
            messages.info(self.request, "文件已校验，请核对预览后确认入库。")
        return HttpResponseRedirect(reverse("enterprises:import", args=[batch.pk]))


class ImportBatchDetailView(ScopedDetailView):
    model = ImportBatch
    allowed_roles = IMPORTERS | {"leader"}
    template_name = "enterprises/import_detail.html"
    context_object_name = "batch"

    def get_breadcrumbs(self):
        return [("企业库", None), ("数据导入", "enterprises:imports"), (f"批次 #{self.object.pk}", None)]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        batch = self.object
        spec = active_spec()
        user = self.request.user
        can_act = bool(roles_of(user) & IMPORTERS) and ImportBatch.objects.writable_by(user).filter(pk=batch.pk).exists()
        context.update(
            source_name=next((s.name for s in spec.import_sources if s.code == batch.source), batch.source) if spec else batch.source,
            preview=import_services.preview_rows(batch, limit=200) if batch.status == BatchStatus.VALIDATED else [],
            errors=import_services.error_rows(batch, limit=50),
            can_commit=can_act and batch.status == BatchStatus.VALIDATED,
            can_rollback=can_act and batch.status == BatchStatus.COMMITTED,
            can_discard=can_act and batch.status in (BatchStatus.VALIDATED, BatchStatus.FAILED),
        )
        return context


class ImportProgressView(MemberRequiredMixin, View):
    """The progress bar, polled by HTMX while a batch is being written."""

    model = ImportBatch  # what the pk names (the scope walk reads it)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = get_object_or_404(ImportBatch.objects.visible_to(request.user), pk=pk)
        response = render(request, "enterprises/_import_progress.html", {"batch": batch})
        if batch.status not in (BatchStatus.COMMITTING,):
            response["HX-Refresh"] = "true"  # done: reload the page to show the outcome
        return response


class ImportActionView(MemberRequiredMixin, View):
    """POST commit / rollback / discard. Writable batches only; others are a 404."""

    allowed_roles = IMPORTERS
    action = ""
    model = ImportBatch

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = get_object_or_404(ImportBatch.objects.writable_by(request.user), pk=pk)
        try:
            if self.action == "commit":
                batch = import_services.commit_async(batch, request.user)
                if batch.status == BatchStatus.COMMITTED:
                    messages.success(request, f"已入库：{batch.counts.get('written', 0)} 个数值。")
                elif batch.status == BatchStatus.COMMITTING:
                    messages.info(request, "正在后台写入，请稍候。")
                else:
                    messages.error(request, batch.message or "未能入库。")
            elif self.action == "rollback":
                import_services.rollback(batch, request.user)
                messages.success(request, f"批次 #{batch.pk} 已撤销，此前的数值已恢复为现行值。")
            elif self.action == "discard":
                import_services.discard(batch, request.user)
                messages.info(request, f"批次 #{batch.pk} 已放弃，未写入任何数据。")
        except import_services.ImportRefused as exc:
            messages.error(request, str(exc))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "您无权执行该操作。")
        return HttpResponseRedirect(reverse("enterprises:import", args=[batch.pk]))


class ImportFileView(MemberRequiredMixin, View):
    """Download the uploaded file (kind=file) or its error report (kind=errors)."""

    kind = "file"
    model = ImportBatch

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = get_object_or_404(ImportBatch.objects.visible_to(request.user), pk=pk)
        field = batch.error_report if self.kind == "errors" else batch.file
        if not field:
            raise Http404("该批次没有此文件。")
        with field.open("rb") as handle:
            content = handle.read()
        name = f"错误报告-批次{batch.pk}.xlsx" if self.kind == "errors" else batch.file_name
        return attachment(content, name)


class TemplateDownloadView(MemberRequiredMixin, View):
    def get(self, request: HttpRequest, source: str, year: int) -> HttpResponse:
        spec = active_spec()
        if spec is None or not any(s.code == source for s in spec.import_sources):
            raise Http404("没有该数据来源。")
        regions = Region.objects.visible_to(request.user).filter(kind__in=["district", "county", "zone"])
        content = import_services.template_for(source, year, [r.name for r in regions])
        return attachment(content, f"{year}年-{spec.source(source).name}-导入模板.xlsx")
