"""A run's input data as the CLI's facts file (current year, or the previous year for the benchmarks)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views import View

from gongqiang.core.models import Region
from gongqiang.core.views.base import MemberRequiredMixin
from gongqiang.lib.http import attachment

from ..documents_inputs import cli_table, to_csv
from ..services.methods import to_method
from ..services.runs import RunRefused, snapshot_of
from .common import STAFF, run_or_404


class RunInputsView(MemberRequiredMixin, View):
    """Rows of the units the user may see: units are counties, so a county's file reproduces its classes."""

    allowed_roles = STAFF

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = run_or_404(request.user, pk)
        which = request.GET.get("which", "current")
        if which not in ("current", "previous"):
            raise Http404("未知的数据")
        try:
            current, previous = snapshot_of(run)
        except RunRefused as exc:
            raise Http404(str(exc)) from None
        frame = current if which == "current" else previous
        if frame is None:
            raise Http404("该评价没有上一年度数据（基准值取自当年）")
        codes = set(Region.objects.visible_to(request.user).values_list("code", flat=True))
        frame = frame.filter(frame["region"].is_in(list(codes)))
        year = run.year if which == "current" else run.year - 1
        table = cli_table(frame, to_method(run.method_spec).item_codes())
        return attachment(to_csv(table), f"{run.year}年评价第{run.version}版_{year}年数据.csv")
