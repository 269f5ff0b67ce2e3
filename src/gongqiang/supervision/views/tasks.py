"""Task lines, the task list (filters, Excel export), a task's page, and the Excel import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from gongqiang.core.views.base import MemberRequiredMixin, MemberTemplateView, ScopedDetailView
from gongqiang.lib.http import attachment
from gongqiang.targets.services.workbooks import workbook

from ..compute import Status, days_late, dispatch_state
from ..models import Task, TaskLine
from ..services.dispatch import due_day_of, due_days, owns
from ..services.imports import HEADER, import_tasks, template
from ..services.lines import ensure_lines
from ..services.tasks import EXPORT_HEADER, export_rows, filtered_rows, status_of
from .common import STAFF, WRITERS

IMPORTERS = WRITERS
MAX_UPLOAD = 5 * 1024 * 1024


class LineListView(MemberTemplateView):
    allowed_roles = STAFF
    template_name = "supervision/lines.html"
    breadcrumbs = (("督导考核", None), ("十大专线", None))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ensure_lines()
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        counts: dict[int, dict[str, int]] = {}
        for task in Task.objects.visible_to(self.request.user).only("line_id", "start_date", "deadline",
                                                                   "completed_on"):
            per = counts.setdefault(task.line_id, {s.value: 0 for s in Status})
            per[status_of(task, today).value] += 1
        lines = TaskLine.objects.visible_to(self.request.user).select_related("owner").prefetch_related("co_owners")
        context["lines"] = [(line, counts.get(line.pk, {})) for line in lines]
        context["statuses"] = [s.value for s in Status]
        return context


class TaskListView(MemberTemplateView):
    allowed_roles = STAFF
    template_name = "supervision/tasks.html"
    breadcrumbs = (("督导考核", None), ("任务清单", None))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ensure_lines()
        context = super().get_context_data(**kwargs)
        rows = filtered_rows(self.request.user, self.request.GET, timezone.localdate())
        context.update(
            rows=rows[:500], total=len(rows), truncated=len(rows) > 500,
            lines=TaskLine.objects.visible_to(self.request.user),
            owners=sorted({(r.task.owner_region or r.task.owner_department).code: r.task.owner_name
                           for r in rows}.items()),
            statuses=[s.value for s in Status], params=self.request.GET,
            querystring=self.request.GET.urlencode(),
        )
        return context


class TaskExportView(MemberRequiredMixin, View):
    allowed_roles = STAFF

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        rows = filtered_rows(request.user, request.GET, today)
        data = workbook([("任务清单", EXPORT_HEADER, export_rows(rows))],
                        [f"导出时间 {timezone.localtime():%Y-%m-%d %H:%M}", "状态按导出当日计算。"])
        return attachment(data, f"任务清单-{today.isoformat()}.xlsx")


class TaskDetailView(ScopedDetailView):
    model = Task
    allowed_roles = STAFF
    template_name = "supervision/task_detail.html"

    def base_queryset(self):
        return super().base_queryset().select_related("line", "owner_department", "owner_region", "parent")

    def get_breadcrumbs(self) -> list[tuple[str, str | None]]:
        return [("督导考核", None), ("任务清单", "supervision:tasks"), (self.object.code, None)]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today, task = timezone.localdate(), self.object
        context["status"] = status_of(task, today).value
        context["days_late"] = days_late(task.deadline, task.completed_on, today)
        context["children"] = [(c, status_of(c, today).value)
                               for c in task.children.visible_to(self.request.user).select_related("owner_region",
                                                                                                    "owner_department")]
        context["milestones"] = task.milestones.visible_to(self.request.user)
        context["co_owners"] = task.co_owners.all()
        day = due_day_of(due_days(), task)
        context["reports"] = [(r, dispatch_state(r.year, r.month, day, r.filed_on, today).value)
                              for r in task.reports.visible_to(self.request.user)]
        context["owns"] = owns(self.request.user, task)
        return context


class TaskImportView(MemberRequiredMixin, View):
    allowed_roles = IMPORTERS

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "supervision/import.html", {"breadcrumbs": [("督导考核", None), ("任务导入", None)],
                                                           "header": HEADER})

    def post(self, request: HttpRequest) -> HttpResponse:
        upload = request.FILES.get("file")
        context: dict[str, Any] = {"breadcrumbs": [("督导考核", None), ("任务导入", None)], "header": HEADER}
        if upload is None:
            context["failure"] = "请选择要上传的 Excel 文件。"
        elif upload.size > MAX_UPLOAD:
            context["failure"] = "文件超过 5 MB，请拆分后上传。"
        else:
            outcome = import_tasks(upload.read(), request.user)
            if outcome.ok:
                messages.success(request, f"已导入 {outcome.created} 个任务。")
            else:
                context["errors"] = outcome.errors
                context["failure"] = f"文件有 {len(outcome.errors)} 处错误，未写入任何任务。"
        return render(request, "supervision/import.html", context, status=200)


class TaskTemplateView(MemberRequiredMixin, View):
    allowed_roles = IMPORTERS

    def get(self, request: HttpRequest) -> HttpResponse:
        return attachment(template(), "任务清单模板.xlsx")


