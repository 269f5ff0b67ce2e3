"""One target: its page, value entry (with a preview of the converted value), status override, attachments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from gongqiang.core.models import Region
from gongqiang.core.models.org import COUNTY_LEVEL_KINDS
from gongqiang.core.scope import ScopeViolation
from gongqiang.core.views.base import MemberRequiredMixin, MemberTemplateView

from ..forms import ObservationForm, OverrideForm
from ..models import Observation
from ..presenters import SOURCE_LABELS, chart_option, present
from ..services.access import STAFF, WRITERS, can_enter, can_split, county_regions_of, target_or_404
from ..services.catalog import catalog
from ..services.detail import city_row, county_table, history, sum_checks
from ..services.observations import EntryInvalid, commit, prepare
from ..services.overrides import OverrideInvalid, set_override
from ..services.progress import city_region

COUNTY_HISTORY = 30


def entry_regions(user: Any, info: Any) -> list[tuple[str, str]]:
    """The regions the user may enter values for: the city (owner, city staff) and the counties."""
    out = []
    if can_enter(user, info):
        city = city_region()
        out.append((city.code, f"{city.name}（全市）"))
        # Counties: city staff and the owner may enter county values of any county.
        for r in Region.objects.visible_to(user).filter(kind__in=COUNTY_LEVEL_KINDS).order_by("sort_order"):
            out.append((r.code, r.name))
    else:
        out += [(r.code, r.name) for r in county_regions_of(user)]
    return out


def region_by_code(user: Any, code: str) -> Region:
    city = city_region()
    if code == city.code:
        return city
    region = Region.objects.visible_to(user).filter(code=code).first()
    if region is None:
        raise Http404("未找到该区域，或不在您的数据范围内。")
    return region


class TargetDetailView(MemberTemplateView):
    template_name = "targets/target_detail.html"
    allowed_roles = STAFF

    def get_breadcrumbs(self) -> list[tuple[str, str | None]]:
        return [("目标与驾驶舱", None), ("驾驶舱", "targets:cockpit"), (self.info.spec.name, None)]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.cat = catalog()
        self.info = target_or_404(request.user, self.cat, kwargs["target"])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, today, cat, info = self.request.user, timezone.localdate(), self.cat, self.info
        row = city_row(user, cat, info, today)
        rows = history(user, info)
        counties, allocated = county_table(user, cat, info, today, rows)
        regions = entry_regions(user, info)
        context.update(
            cat=cat, info=info, spec=info.spec, row=present(row), chart=chart_option(row), today=today,
            city_history=[o for o in rows if o.region.kind == "city"],
            # The latest county rows only: every county's current value is in the table above, and the whole
            # trail is in the API (/api/targets/<id>/observations); 15 counties × years × history is long.
            county_history=sorted((o for o in rows if o.region.kind != "city"), key=lambda o: o.created_at,
                                  reverse=True)[:COUNTY_HISTORY],
            county_history_total=sum(1 for o in rows if o.region.kind != "city"),
            counties=[{**c, "view": present(c["row"]) if c["row"] else None} for c in counties],
            checks=sum_checks(user, cat, info, row, allocated, rows),
            sources=SOURCE_LABELS,
            can_enter=bool(regions) and bool(set(WRITERS) & _roles(user)),
            can_override=can_enter(user, info),
            can_split=can_split(user) and info.spec.target is not None,
            override_form=OverrideForm(regions=entry_regions(user, info)) if can_enter(user, info) else None,
            computation=info.spec.computation,
        )
        return context


def _roles(user: Any) -> set[str]:
    from gongqiang.core.navigation import roles_of

    return roles_of(user)


class ObservationEntryView(MemberRequiredMixin, View):
    """GET: the form. POST: save, or show every reason why not (nothing written)."""

    allowed_roles = WRITERS
    template_name = "targets/observation_form.html"

    def setup_target(self, request: HttpRequest, target: str) -> None:
        self.cat = catalog()
        self.info = target_or_404(request.user, self.cat, target)
        self.regions = entry_regions(request.user, self.info)
        if not self.regions:
            raise PermissionDenied("您无权填报该目标。")

    def form(self, data: Any = None, files: Any = None) -> ObservationForm:
        return ObservationForm(data, files, regions=self.regions, units=self.cat.entry_units(self.info.spec.unit),
                               initial={"unit": self.info.spec.unit})

    def render_form(self, request: HttpRequest, form: ObservationForm, errors: list[str] | None = None,
                    status: int = 200) -> HttpResponse:
        return render(request, self.template_name, {
            "form": form, "info": self.info, "spec": self.info.spec, "errors": errors or [],
            "breadcrumbs": [("目标与驾驶舱", None), ("驾驶舱", "targets:cockpit"), (self.info.spec.name, None),
                            ("填报", None)],
        }, status=status)

    def get(self, request: HttpRequest, target: str) -> HttpResponse:
        self.setup_target(request, target)
        return self.render_form(request, self.form())

    def post(self, request: HttpRequest, target: str) -> HttpResponse:
        self.setup_target(request, target)
        form = self.form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(request, form, status=400)
        data = form.cleaned_data
        try:
            region = region_by_code(request.user, data["region"])
            entry = prepare(request.user, self.cat, self.info, region, data["period"], data["value"], data["unit"],
                            timezone.localdate())
            obs = commit(request.user, self.cat, entry, note=data["note"], attachment=data.get("attachment"))
        except EntryInvalid as exc:
            return self.render_form(request, form, exc.errors, status=400)
        except ScopeViolation as exc:
            return self.render_form(request, form, [str(exc)], status=400)
        except Http404 as exc:
            return self.render_form(request, form, [str(exc)], status=400)
        verb = "替换了原值（原值保留在历史中）" if entry.replaces else "已保存"
        late = "；该期已过报送截止日，记为逾期补报" if obs.late else ""
        messages.success(request, f"{self.info.spec.name} {entry.period.label}：{obs.value.normalize():f} "
                                  f"{obs.unit} {verb}{late}。")
        return HttpResponseRedirect(reverse("targets:detail", args=[self.info.id]))


class ObservationPreviewView(ObservationEntryView):
    """HTMX: the value as it will be stored (converted to the target's unit), or why it cannot be."""

    def get(self, request: HttpRequest, target: str) -> HttpResponse:
        raise Http404()

    def post(self, request: HttpRequest, target: str) -> HttpResponse:
        self.setup_target(request, target)
        context: dict[str, Any] = {"info": self.info}
        try:
            region = region_by_code(request.user, request.POST.get("region", ""))
            context["entry"] = prepare(request.user, self.cat, self.info, region, request.POST.get("period", ""),
                                       request.POST.get("value", ""), request.POST.get("unit"), timezone.localdate())
        except (EntryInvalid, Http404) as exc:
            context["errors"] = getattr(exc, "errors", ["区域无效"])
        return render(request, "targets/_preview.html", context)


class OverrideView(MemberRequiredMixin, View):
    allowed_roles = WRITERS

    def post(self, request: HttpRequest, target: str) -> HttpResponse:
        cat = catalog()
        info = target_or_404(request.user, cat, target)
        if not can_enter(request.user, info):
            raise PermissionDenied("只有市工信局或该目标的责任部门可以人工认定状态。")
        form = OverrideForm(request.POST, regions=entry_regions(request.user, info))
        if form.is_valid():
            try:
                region = region_by_code(request.user, form.cleaned_data["region"])
                set_override(request.user, info, region, form.cleaned_data["status"], form.cleaned_data["reason"])
                messages.success(request, "状态人工认定已保存。" if form.cleaned_data["status"] else "已撤销人工认定。")
            except (OverrideInvalid, ScopeViolation) as exc:
                messages.error(request, str(exc))
        else:
            messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return HttpResponseRedirect(reverse("targets:detail", args=[info.id]))


class AttachmentView(MemberRequiredMixin, View):
    model = Observation
    allowed_roles = STAFF

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obs = Observation.objects.visible_to(request.user).filter(pk=pk).first()
        if obs is None or not obs.attachment:
            raise Http404("未找到附件，或不在您的数据范围内。")
        return FileResponse(obs.attachment.open("rb"), as_attachment=True,
                            filename=obs.attachment.name.rsplit("/", 1)[-1])
