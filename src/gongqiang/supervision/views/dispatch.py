"""Monthly dispatch pages: the month's overview, filing a report, a report with its reviews and 批示."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic.detail import SingleObjectTemplateResponseMixin

from gongqiang.core.navigation import roles_of
from gongqiang.core.scope import ScopeViolation
from gongqiang.core.views.base import (
    MemberRequiredMixin,
    MemberTemplateView,
    ScopedDetailView,
    ScopedListView,
)

from ..compute import DispatchState, next_month, report_months
from ..models import DispatchReport, NoteKind, Notification, ReportAttachment, ReviewNote, Task
from ..services.dispatch import DispatchRefused, due_day, file_report, overview, owns, parse_month
from ..services.tasks import status_of
from .common import STAFF


def previous_month(today) -> tuple[int, int]:
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


class DispatchOverviewView(MemberTemplateView):
    """One month: every task that owes a report, its state, and punctuality per owner unit."""

    allowed_roles = STAFF
    template_name = "supervision/dispatch.html"
    breadcrumbs = (("督导考核", None), ("月调度", None))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        year, month = previous_month(today)
        if self.request.GET.get("month"):
            try:
                year, month = parse_month(self.request.GET["month"])
            except DispatchRefused as exc:
                context["failure"] = str(exc)
        rows, units = overview(self.request.user, year, month, today)
        context.update(rows=rows, units=units, year=year, month=month, month_key=f"{year}-{month:02d}",
                       states=[s.value for s in DispatchState],
                       previous="{}-{:02d}".format(*previous_month(dt.date(year, month, 1))),
                       following="{}-{:02d}".format(*next_month(year, month)))
        return context


class ReportFileView(MemberRequiredMixin, SingleObjectTemplateResponseMixin, View):
    """File a task's report for a month (the owner unit only); any refusal is said on the form, nothing saved."""

    model = Task
    allowed_roles = STAFF
    template_name = "supervision/report_form.html"

    def task(self, pk: int) -> Task:
        qs = Task.objects.visible_to(self.request.user).select_related("line", "owner_region", "owner_department")
        return get_object_or_404(qs, pk=pk)

    def render(self, task: Task, month: str, errors: list[str], data: dict[str, Any]) -> HttpResponse:
        context = {"task": task, "month": month, "errors": errors, "data": data, "owns": owns(self.request.user, task),
                   "breadcrumbs": [("督导考核", None), ("任务清单", "supervision:tasks"), (task.code, None),
                                   ("月调度报送", None)]}
        try:
            context["due_day"] = due_day(task)
        except DispatchRefused as exc:
            context["errors"] = [*errors, *exc.errors]
        return self.render_to_response(context)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        task, today = self.task(pk), timezone.localdate()
        months = report_months(task.start_date, task.deadline, task.completed_on, today)
        default = previous_month(today)
        if default not in months and months:
            default = months[-1]
        month = request.GET.get("month") or "{}-{:02d}".format(*default)
        return self.render(task, month, [], {})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        task, today = self.task(pk), timezone.localdate()
        data = {k: request.POST.get(k, "") for k in ("progress", "problems", "help_needed", "next_plan",
                                                      "completed_on", "delay_reason")}
        figures = {t: request.POST.get(f"figure_{t}", "") for t in task.target_ids}
        month = request.POST.get("month", "")
        try:
            year, mon = parse_month(month)
            report = file_report(request.user, task, year, mon, data, figures, today,
                                 attachments=request.FILES.getlist("attachments"))
        except DispatchRefused as exc:
            return self.render(task, month, exc.errors, {**data, "figures": figures})
        except ScopeViolation as exc:
            return self.render(task, month, [str(exc)], {**data, "figures": figures})
        messages.success(request, f"{year}年{mon}月调度报告已报送。")
        return HttpResponseRedirect(reverse("supervision:report", args=[report.pk]))


class ReportDetailView(ScopedDetailView):
    model = DispatchReport
    allowed_roles = STAFF
    template_name = "supervision/report_detail.html"

    def base_queryset(self):
        return super().base_queryset().select_related("task", "task__line", "task__owner_region",
                                                      "task__owner_department")

    def get_breadcrumbs(self) -> list[tuple[str, str | None]]:
        return [("督导考核", None), ("月调度", "supervision:dispatch"), (str(self.object), None)]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        roles = roles_of(self.request.user)
        report = self.object
        context.update(
            notes=report.notes.visible_to(self.request.user),
            can_comment=bool(roles & {"admin", "city"}), can_instruct=bool(roles & {"admin", "city", "leader"}),
            owns=owns(self.request.user, report.task), task_status=status_of(report.task, timezone.localdate()).value,
            kinds=NoteKind.choices,
        )
        return context


class NoteAddView(MemberRequiredMixin, View):
    model = DispatchReport
    allowed_roles = STAFF

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = get_object_or_404(DispatchReport.objects.visible_to(request.user), pk=pk)
        return HttpResponseRedirect(reverse("supervision:report", args=[report.pk]))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = get_object_or_404(DispatchReport.objects.visible_to(request.user), pk=pk)
        try:
            add_note_result = _add(request, report)
        except DispatchRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{add_note_result.get_kind_display()}已保存。")
        return HttpResponseRedirect(reverse("supervision:report", args=[report.pk]))


def _add(request: HttpRequest, report: DispatchReport) -> ReviewNote:
    from ..services.dispatch import add_note

    return add_note(request.user, report, request.POST.get("kind", ""), request.POST.get("text", ""))


class NoteAnswerView(MemberRequiredMixin, View):
    model = ReviewNote
    allowed_roles = STAFF

    def note(self, request: HttpRequest, pk: int) -> ReviewNote:
        qs = ReviewNote.objects.visible_to(request.user).select_related("report__task__owner_region")
        return get_object_or_404(qs, pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return HttpResponseRedirect(reverse("supervision:report", args=[self.note(request, pk).report_id]))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from ..services.dispatch import answer_note

        note = self.note(request, pk)
        try:
            answer_note(request.user, note, request.POST.get("answer", ""))
        except DispatchRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "答复已保存。")
        return HttpResponseRedirect(reverse("supervision:report", args=[note.report_id]))


class AttachmentView(MemberRequiredMixin, View):
    model = ReportAttachment
    allowed_roles = STAFF

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from django.http import FileResponse

        item = get_object_or_404(ReportAttachment.objects.visible_to(request.user), pk=pk)
        try:
            handle = item.file.open("rb")
        except FileNotFoundError:
            raise Http404("附件文件已不存在。") from None
        return FileResponse(handle, as_attachment=True, filename=item.name)


class NotificationListView(ScopedListView):
    """The signed-in user's own notifications (reminders and chases)."""

    model = Notification
    allowed_roles = STAFF
    template_name = "supervision/notifications.html"
    breadcrumbs = (("督导考核", None), ("我的通知", None))

    def base_queryset(self):
        return super().base_queryset().filter(recipient=self.request.user)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.base_queryset().filter(read_at__isnull=True).update(read_at=timezone.now())
        messages.success(request, "已全部标为已读。")
        return HttpResponseRedirect(reverse("supervision:notifications"))
