"""Quarterly bulletins: the archive, generating a draft, editing it, publishing, and the Word / PDF files."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from gongqiang.core.navigation import roles_of
from gongqiang.core.views.base import MemberRequiredMixin, ScopedDetailView, ScopedListView
from gongqiang.lib.http import attachment

from ..documents import DocumentUnavailable, bulletin_docx, bulletin_pdf
from ..models import Bulletin
from ..services.bulletins import EDITORS, BulletinRefused, archived_pdf, edit, generate, publish, view_of
from .common import STAFF


class BulletinListView(ScopedListView):
    model = Bulletin
    allowed_roles = STAFF
    template_name = "supervision/bulletins.html"
    breadcrumbs = (("督导考核", None), ("季通报", None))

    def base_queryset(self):
        return super().base_queryset().defer("docx", "pdf", "content")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_edit"] = bool(roles_of(self.request.user) & EDITORS)
        context["this_year"] = timezone.localdate().year
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            year, quarter = int(request.POST.get("year", "")), int(request.POST.get("quarter", ""))
        except ValueError:
            messages.error(request, "请填写正确的年份和季度。")
            return HttpResponseRedirect(reverse("supervision:bulletins"))
        try:
            bulletin = generate(request.user, year, quarter, timezone.localdate())
        except BulletinRefused as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("supervision:bulletins"))
        messages.success(request, f"已生成{bulletin}草稿。")
        return HttpResponseRedirect(reverse("supervision:bulletin", args=[bulletin.pk]))


class BulletinDetailView(ScopedDetailView):
    model = Bulletin
    allowed_roles = STAFF
    template_name = "supervision/bulletin_detail.html"

    def get_breadcrumbs(self) -> list[tuple[str, str | None]]:
        return [("督导考核", None), ("季通报", "supervision:bulletins"), (str(self.object), None)]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["b"] = view_of(self.object)
        context["can_edit"] = bool(roles_of(self.request.user) & EDITORS) and not self.object.is_published
        context["removed"] = self.object.removed
        return context


class BulletinEditView(MemberRequiredMixin, View):
    model = Bulletin
    allowed_roles = STAFF

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        bulletin = get_object_or_404(Bulletin.objects.visible_to(request.user).only("pk"), pk=pk)
        return HttpResponseRedirect(reverse("supervision:bulletin", args=[bulletin.pk]))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        bulletin = get_object_or_404(Bulletin.objects.visible_to(request.user), pk=pk)
        action = request.POST.get("action", "")
        try:
            if action == "intro":
                edit(request.user, bulletin, intro=request.POST.get("intro", ""))
            elif action == "remove":
                edit(request.user, bulletin, remove=request.POST.get("key", ""))
            elif action == "restore":
                edit(request.user, bulletin, restore=request.POST.get("key", ""))
            elif action == "publish":
                publish(request.user, bulletin)
            else:
                raise BulletinRefused("未知的操作")
        except BulletinRefused as exc:
            messages.error(request, str(exc))
        except DocumentUnavailable as exc:
            messages.error(request, f"发布失败：{exc}")
        else:
            messages.success(request, "已发布并归档。" if action == "publish" else "已保存。")
        return HttpResponseRedirect(reverse("supervision:bulletin", args=[bulletin.pk]))


class BulletinFileView(MemberRequiredMixin, View):
    """The Word or PDF file: a published bulletin's stored file; a draft rendered now (marked 草稿)."""

    model = Bulletin
    allowed_roles = STAFF
    kind = "docx"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        bulletin = get_object_or_404(Bulletin.objects.visible_to(request.user), pk=pk)
        try:
            if bulletin.is_published:
                data = bytes(bulletin.docx) if self.kind == "docx" else archived_pdf(bulletin)
            else:
                content = view_of(bulletin)
                data = bulletin_docx(content) if self.kind == "docx" else bulletin_pdf(content)
        except DocumentUnavailable as exc:
            return render(request, "supervision/document_unavailable.html", {"reason": str(exc)})
        return attachment(data, f"{bulletin.year}Q{bulletin.quarter}季通报.{self.kind}", inline=self.kind == "pdf")
