"""Quarterly bulletins (季通报): generated from the data as a draft, edited, then published and frozen."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongqiang.core.models import Region
from gongqiang.core.models.org import COUNTY_LEVEL_KINDS
from gongqiang.core.navigation import roles_of
from gongqiang.core.scope import save_scoped
from gongqiang.core.services.policy import active_pack

from ..compute import RANKING_COMPONENTS, DispatchState, Status, competition_rank, days_late, task_status
from ..models import Bulletin, BulletinStatus, DispatchReport, Task, TaskLine
from .dispatch import due_days, month_rows, user_name
from .lines import ensure_lines
from .ranking import county_ranking, weights_text

EDITORS = {"admin", "city"}


class BulletinRefused(Exception):
    pass


def quarter_end(year: int, quarter: int) -> dt.date:
    month = quarter * 3
    return (dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)) - dt.timedelta(days=1)


def gather(user: Any, year: int, quarter: int, today: dt.date) -> dict[str, Any]:
    """The bulletin's content, as plain JSON: line progress, overdue tasks, dispatch punctuality, ranking."""
    if not 1 <= quarter <= 4 or not 2000 <= year <= 2100:
        raise BulletinRefused("季度不正确：年份 2000–2100，季度 1–4")
    start = dt.date(year, quarter * 3 - 2, 1)
    if start > today:
        raise BulletinRefused(f"{year}年第{quarter}季度尚未开始，不能生成通报")
    as_of = min(quarter_end(year, quarter), today)
    ensure_lines()
    tasks = list(Task.objects.visible_to(user).select_related("line", "owner_region", "owner_department")
                 .filter(start_date__lte=as_of))
    months = [(year, m) for m in range(quarter * 3 - 2, quarter * 3 + 1) if dt.date(year, m, 1) <= today]
    reports = {(r.task_id, r.year, r.month): r for r in DispatchReport.objects.visible_to(user)
               .filter(year=year, month__in=[m for _, m in months])}
    rows = [row for y, m in months for row in month_rows(tasks, reports, y, m, today, due_days())]
    if not tasks or not rows:
        raise BulletinRefused(f"{year}年第{quarter}季度没有任务和调度数据，无法生成通报")
    status = {t.pk: task_status(t.start_date, t.deadline, t.completed_on, as_of) for t in tasks}
    lines = []
    for line in TaskLine.objects.visible_to(user).select_related("owner"):
        mine = [t for t in tasks if t.line_id == line.pk]
        counts = {s.value: sum(1 for t in mine if status[t.pk] is s) for s in Status}
        lines.append({"key": f"line:{line.code}", "code": line.code, "name": line.name, "owner": line.owner.name,
                      "total": len(mine), **counts})
    overdue = [{"key": f"task:{t.pk}", "code": t.code, "title": t.title, "owner": t.owner_name,
                "deadline": t.deadline.isoformat(), "days_late": days_late(t.deadline, t.completed_on, as_of),
                "reason": t.delay_reason or "未说明"}
               for t in tasks if status[t.pk] is Status.OVERDUE]
    overdue.sort(key=lambda o: -o["days_late"])
    units: dict[str, dict[str, Any]] = {}
    for row in rows:
        u = units.setdefault(row.task.owner_name, {"key": f"unit:{row.task.owner_name}", "unit": row.task.owner_name,
                                                   "county": row.task.owner_region_id is not None,
                                                   **{s.value: 0 for s in DispatchState}})
        u[row.state.value] += 1
    for u in units.values():
        due = u["已报送"] + u["逾期报送"] + u["未报送"]
        u["punctuality"] = round(100 * u["已报送"] / due, 1) if due else None
    punctuality = sorted(units.values(), key=lambda u: (-(u["punctuality"] or 0), u["unit"]))
    ranking, weights = _ranking(user, {u["unit"]: u["punctuality"] for u in punctuality if u["county"]}, as_of)
    return {"year": year, "quarter": quarter, "as_of": as_of.isoformat(), "lines": lines, "overdue": overdue,
            "punctuality": punctuality, "ranking": ranking, "ranking_weights": weights_text(weights),
            "meetings": _meetings(user, year, months),
            "cases": _cases(user, start, as_of), **_targets(user, as_of),
            "totals": {"tasks": len(tasks), **{s.value: sum(1 for t in tasks if status[t.pk] is s) for s in Status}}}


def _part_text(value: float | None, weight: float) -> str:
    if not weight:
        return "不计"
    return "暂无数据" if value is None else f"{value:g}"


def _ranking(user: Any, punctuality: dict[str, float | None], as_of: dt.date) -> tuple[list[dict[str, Any]],
                                                                                       dict[str, float]]:
    """The county ranking, weighted as the pack's `supervision.bulletin_ranking` says; counties without any
    figure are left out (nothing to rank them on)."""
    counties = list(Region.objects.visible_to(user).filter(kind__in=COUNTY_LEVEL_KINDS).order_by("sort_order"))
    ranks, weights = county_ranking(user, counties, punctuality, as_of)
    out = []
    for r in ranks:
        if r.score is None:
            continue
        out.append({"key": f"unit:{r.unit}", "unit": r.unit, "county": True, "score": r.score, "rank": r.rank,
                    "punctuality": r.parts.get("dispatch_punctuality"),
                    "parts": {c: _part_text(r.parts.get(c), weights.get(c, 0)) for c in RANKING_COMPONENTS},
                    "missing": "、".join(RANKING_COMPONENTS[c] for c in r.missing) or ""})
    return out, weights


def _targets(user: Any, as_of: dt.date) -> dict[str, Any]:
    """Targets' status by goal group and the red / yellow / green lists, as the targets app computes them."""
    from gongqiang.targets.services.catalog import catalog
    from gongqiang.targets.services.progress import city_rows, group_summary

    rows = city_rows(user, as_of, catalog())
    groups = [{"key": f"group:{g['id']}", "id": g["id"], "name": g["name"], "total": g["total"],
               "on_time": g["on_time"], "behind": g["behind"], "no_data": g["no_data"]}
              for g in group_summary(rows, catalog())]
    by_status: dict[str, list[str]] = {"red": [], "yellow": [], "green": []}
    colour = {"seriously_behind": "red", "behind": "yellow", "achieved": "green", "on_track": "green"}
    for row in rows:
        key = colour.get(str(getattr(row.progress.status, "value", row.progress.status)))
        if key:
            by_status[key].append(f"{row.info.id} {row.info.spec.name}")
    return {"target_groups": groups, "rag": {k: "、".join(v) or "无" for k, v in by_status.items()}}


def _meetings(user: Any, year: int, months: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """Industry meetings per county in each month of the quarter, against the pack's minimum."""
    from .meetings import monthly_counts

    per: dict[str, dict[str, Any]] = {}
    for _, m in months:
        for row in monthly_counts(user, year, m):
            entry = per.setdefault(row["region"], {"key": f"meeting:{row['region']}", "region": row["region"],
                                                   "counts": [], "minimum": row["minimum"], "short": 0})
            entry["counts"].append(row["count"])
            entry["short"] += 0 if row["meets"] else 1
    for entry in per.values():
        entry["text"] = " / ".join(str(c) for c in entry["counts"])
    return list(per.values())


def _cases(user: Any, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    from ..models import TypicalCase

    cases = (TypicalCase.objects.visible_to(user).filter(status="published", published_at__date__gte=start,
                                                         published_at__date__lte=end).select_related("region", "line"))
    return [{"key": f"case:{c.pk}", "title": c.title, "region": c.region.name, "line": f"{c.line.code} {c.line.name}",
             "summary": c.text[:120]} for c in cases]


def _check_editor(user: Any) -> None:
    if not roles_of(user) & EDITORS:
        raise BulletinRefused("只有市级工作人员可以编辑和发布季通报")


def generate(user: Any, year: int, quarter: int, today: dt.date) -> Bulletin:
    _check_editor(user)
    content = gather(user, year, quarter, today)
    pack = active_pack()
    # scope: reviewed — the city node is the bulletin's anchor (city staff write city-wide rows)
    city = Region.objects.get(kind="city")
    bulletin = Bulletin(region=city, year=year, quarter=quarter, content=content,
                        pack_version=pack.version if pack else "", generated_by_name=user_name(user))
    save_scoped(bulletin, user)
    return bulletin


def _check_draft(bulletin: Bulletin) -> None:
    if bulletin.is_published:
        raise BulletinRefused("该通报已发布归档，不能再修改")


def edit(user: Any, bulletin: Bulletin, *, intro: str | None = None, remove: str | None = None,
         restore: str | None = None) -> Bulletin:
    _check_editor(user)
    _check_draft(bulletin)
    if intro is not None:
        bulletin.intro = intro.strip()[:4000]
    keys = set(item_keys(bulletin.content))
    if remove:
        if remove not in keys:
            raise BulletinRefused("要删去的条目不在本通报中")
        bulletin.removed = sorted({*bulletin.removed, remove})
    if restore:
        bulletin.removed = [k for k in bulletin.removed if k != restore]
    save_scoped(bulletin, user, update_fields=["intro", "removed"])
    return bulletin


def item_keys(content: dict[str, Any]) -> list[str]:
    parts = ("target_groups", "lines", "overdue", "punctuality", "meetings", "cases")
    return [i["key"] for part in parts for i in content.get(part, [])]


def view_of(bulletin: Bulletin) -> dict[str, Any]:
    """The content as shown and printed: removed items left out, ranking renumbered."""
    removed = set(bulletin.removed)
    c = bulletin.content
    kept = [u for u in c["ranking"] if u["key"] not in removed]
    # Renumber what is left; equal scores share a rank (older snapshots without a score keep their order).
    ranks = competition_rank({n: u.get("score", -n) for n, u in enumerate(kept)})
    ranking = [dict(u, rank=ranks[n], score=u.get("score", u.get("punctuality")),
                    parts=u.get("parts") or dict.fromkeys(RANKING_COMPONENTS, "")) for n, u in enumerate(kept)]
    return {**c, "title": str(bulletin), "intro": bulletin.intro,
            "lines": [i for i in c["lines"] if i["key"] not in removed],
            "overdue": [i for i in c["overdue"] if i["key"] not in removed],
            "punctuality": [i for i in c["punctuality"] if i["key"] not in removed], "ranking": ranking,
            "meetings": [i for i in c.get("meetings", []) if i["key"] not in removed],
            "target_groups": [i for i in c.get("target_groups", []) if i["key"] not in removed],
            "rag": c.get("rag", {"red": "无", "yellow": "无", "green": "无"}),
            "cases": [i for i in c.get("cases", []) if i["key"] not in removed],
            "ranking_weights": c.get("ranking_weights", "调度按时报送 100%"),
            "pack_version": bulletin.pack_version, "status": bulletin.get_status_display()}


def publish(user: Any, bulletin: Bulletin) -> Bulletin:
    """Freeze the draft: render Word and PDF once, store them; a second publish is refused. A server
    without the Chinese font still publishes: the PDF is drawn from the frozen content on its first
    download once the font is there (`archived_pdf`)."""
    from ..documents import DocumentUnavailable, bulletin_docx, bulletin_pdf

    _check_editor(user)
    _check_draft(bulletin)
    with transaction.atomic():
        # scope: reviewed — the row was read through visible_to; locking it against a concurrent publish
        locked = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        _check_draft(locked)
        locked.status = BulletinStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by_name = user_name(user)
        data = view_of(locked)
        data["status"] = "已发布"
        locked.docx = bulletin_docx(data)
        try:
            locked.pdf = bulletin_pdf(data)
        except DocumentUnavailable:
            locked.pdf = None
        save_scoped(locked, user, update_fields=["status", "published_at", "published_by_name", "docx", "pdf"])
    return locked


def archived_pdf(bulletin: Bulletin) -> bytes:
    """A published bulletin's PDF: the stored one, or drawn now from the frozen content and stored (when
    it was published on a server without the Chinese font). Raises DocumentUnavailable while the font
    is still missing."""
    from ..documents import bulletin_pdf

    if bulletin.pdf:
        return bytes(bulletin.pdf)
    data = view_of(bulletin)
    data["status"] = "已发布"
    pdf = bulletin_pdf(data)
    # scope: reviewed — the caller read this bulletin through visible_to; only its missing PDF is filled in
    Bulletin.objects.filter(pk=bulletin.pk, pdf__isnull=True).update(pdf=pdf)
    return pdf
