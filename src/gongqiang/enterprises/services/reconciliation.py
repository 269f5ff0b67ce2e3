"""The reconciliation report of one year: load the current facts and the registry, call the pure
`reconcile`, scope the findings to the user, export them.

Where the inputs come from:
- facts: current yearly facts (`Fact`, month 0), with the source of the batch that supplied them;
- registry: the enterprise as it stood that year (`EnterpriseYear`: county, scale, status), else as
  it stands now (`Enterprise`) for an enterprise without a row for the year;
- names: `EnterpriseName` rows whose `source` names an import source (its pack name, as the importer
  records a differing name; or its code, its department's code or name), valid during the year;
- unknown USCCs: the latest committed batch of each source for the year lists the rows whose USCC the
  registry did not know in `assumptions["unknown_usccs"]` (a list of {uscc, name, row} or of codes).

Scope: a user sees the findings of the enterprises that belonged, that year, to a county it may see
(the `EnterpriseYear` scope), and the unknown USCCs registered in such a county.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db.models import FloatField, Q
from django.db.models.functions import Cast
from django.utils import timezone

from gongqiang.core.scope import scope_filter

from ..models import BatchStatus, Enterprise, EnterpriseName, EnterpriseYear, Fact, ImportBatch
from ..reconcile import BLOCKER, KINDS, SEVERITY_NAMES, WARNING, Finding, reconcile

# Fallback while the pack has no `reconcile_jump_factor` threshold: the issue's "more than 10× or less
# than 1/10 of last year". Remove once every pack carries the threshold.
FALLBACK_JUMP_FACTOR = 10.0
JUMP_THRESHOLD = "reconcile_jump_factor"

# The sources an above-scale enterprise must appear in, and how bad its absence is. The 亩产效益
# evaluation scores it from tax, land and the statistics figures: without one it cannot be scored.
# Power and environment feed secondary indicators. Science lists only firms with R&D: no check.
EXPECTED_SOURCES = {
    "statistics": BLOCKER,
    "tax": BLOCKER,
    "land": BLOCKER,
    "power": WARNING,
    "environment": WARNING,
}


@dataclass
class Report:
    year: int
    scope: str  # "全市" or the counties the user sees
    findings: list[Finding]
    jump_factor: float
    jump_factor_from_pack: bool
    pack_version: str = ""
    source_names: dict[str, str] = field(default_factory=dict)
    metric_names: dict[str, str] = field(default_factory=dict)
    generated_at: dt.datetime = field(default_factory=timezone.now)

    @property
    def blockers(self) -> int:
        return sum(1 for f in self.findings if f.severity == BLOCKER)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.blockers

    def counts(self) -> dict[str, dict[str, int]]:
        """kind → {"blocker": n, "warning": n}, every kind present."""
        tally = Counter((f.kind, f.severity) for f in self.findings)
        return {k: {BLOCKER: tally[(k, BLOCKER)], WARNING: tally[(k, WARNING)]} for k in KINDS}

    def of_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]


def jump_factor(spec: Any) -> tuple[float, bool]:
    """The pack's `reconcile_jump_factor` threshold, or the fallback (and whether it came from the pack)."""
    for threshold in getattr(spec, "thresholds", []) or []:
        if threshold.id == JUMP_THRESHOLD:
            return float(threshold.value), True
    return FALLBACK_JUMP_FACTOR, False


def reconciliation_report(year: int, *, user: Any) -> Report:
    """The findings of `year` the user may see."""
    return _report(year, user=user, with_previous=True)


def unresolved_blockers(year: int) -> int:
    """Blocker findings of `year`, city-wide: the evaluation refuses to run while there are any
    (unless waived with a reason). Jumps are only warnings, so last year is not loaded."""
    return _report(year, user=None, with_previous=False).blockers


def _report(year: int, *, user: Any, with_previous: bool) -> Report:
    from gongqiang.core.models import Region
    from gongqiang.core.services.policy import active_pack, active_spec

    spec, pack = active_spec(), active_pack()
    factor, from_pack = jump_factor(spec)
    source_names = {s.code: s.name.split()[0] for s in spec.import_sources} if spec else {}
    metric_names = {m.code: m.name for m in spec.metrics} if spec else {}
    scope, regions = "全市", None  # None: every region
    if user is not None:
        q = scope_filter(Region, user)
        if q is None:
            regions = set()
        elif q:
            visible = Region.objects.visible_to(user)
            regions = set(visible.values_list("code", flat=True))
            scope = "、".join(
                visible.filter(kind__in=["district", "county", "zone"]).values_list("name", flat=True)
            )
    report = Report(
        year=year,
        scope=scope or "无",
        findings=[],
        jump_factor=factor,
        jump_factor_from_pack=from_pack,
        pack_version=pack.version if pack else "",
        source_names=source_names,
        metric_names=metric_names,
    )
    if regions is not None and not regions:
        return report
    registry, ids, in_scope = _registry(year, user if regions is not None else None)
    facts = _facts(year, in_scope, ids)
    previous = _facts(year - 1, in_scope, ids) if with_previous else None
    expected = {s: sev for s, sev in EXPECTED_SOURCES.items() if not spec or s in source_names}
    findings = reconcile(
        facts,
        registry,
        _names(year, ids, spec),
        year,
        previous=previous,
        sources_expected=expected,
        unknown_usccs=_unknown(year),
        jump_factor=factor,
        source_names=source_names,
        metric_names=metric_names,
    )
    if regions is not None:  # the last guard: nothing leaves the user's counties
        findings = [f for f in findings if f.region in regions]
    report.findings = findings
    return report


_REGISTRY_SCHEMA = {
    "id": pl.Int64,
    "uscc": pl.String,
    "name": pl.String,
    "region": pl.String,
    "region_name": pl.String,
    "above_scale": pl.Boolean,
    "status": pl.String,
}


def _registry(year: int, user: Any) -> tuple[pl.DataFrame, pl.DataFrame, Q]:
    """The registry of the year in the user's scope (all of it for None), the id → uscc map, and
    the Q that selects the facts of those enterprises."""
    years = EnterpriseYear.objects.filter(year=year)
    others = Enterprise.objects.exclude(
        pk__in=EnterpriseYear.objects.filter(year=year).values("enterprise_id")
    )
    if user is not None:
        years, others = years.visible_to(user), others.visible_to(user)
    rows = list(
        years.values_list(
            "enterprise_id",
            "enterprise__uscc",
            "enterprise__name",
            "region__code",
            "region__name",
            "above_scale",
            "status",
        )
    )
    rows += list(
        others.values_list("pk", "uscc", "name", "region__code", "region__name", "above_scale", "status")
    )
    frame = pl.DataFrame(rows, schema=_REGISTRY_SCHEMA, orient="row")
    in_scope = (
        Q()
        if user is None
        else Q(enterprise_id__in=years.values("enterprise_id")) | Q(enterprise_id__in=others.values("pk"))
    )
    return frame.drop("id"), frame.select("id", "uscc"), in_scope


def _facts(year: int, in_scope: Q, ids: pl.DataFrame) -> pl.DataFrame:
    rows = (
        Fact.objects.filter(in_scope, year=year, month=0, is_current=True)
        .annotate(number=Cast("value", FloatField()))
        .values_list("enterprise_id", "batch__source", "metric", "number")
    )
    frame = pl.DataFrame(
        list(rows),
        schema={"id": pl.Int64, "source": pl.String, "metric": pl.String, "value": pl.Float64},
        orient="row",
    )
    return frame.join(ids, on="id", how="inner").select("uscc", "source", "metric", "value")


def _names(year: int, ids: pl.DataFrame, spec: Any) -> pl.DataFrame:
    """Names the sources use: an `EnterpriseName` whose source is an import source's name or code, its
    department's code or the department's name, valid at some time in the year."""
    from gongqiang.core.models import Department

    aliases: dict[str, str] = {}
    for s in spec.import_sources if spec else []:
        aliases[s.code] = s.code
        aliases[s.name[:60]] = s.code  # what the importer writes (services/import_commit.py)
        aliases.setdefault(s.department, s.code)
    for code, name, short in Department.objects.values_list("code", "name", "short_name"):
        if code in aliases:
            aliases.setdefault(name, aliases[code])
            aliases.setdefault(short, aliases[code])
    aliases.pop("", None)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = (
        EnterpriseName.objects.filter(source__in=list(aliases))
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=end))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
    )
    # The join with `ids` (the registry in scope) keeps the names of the user's enterprises only.
    data = [
        (eid, aliases[source], name)
        for eid, source, name in rows.values_list("enterprise_id", "source", "name")
    ]
    frame = pl.DataFrame(data, schema={"id": pl.Int64, "source": pl.String, "name": pl.String}, orient="row")
    return frame.join(ids, on="id", how="inner").select("uscc", "source", "name")


def _unknown(year: int) -> pl.DataFrame:
    """USCCs the latest committed batch of each source could not place in the registry."""
    latest: dict[str, ImportBatch] = {}
    batches = ImportBatch.objects.filter(year=year, status=BatchStatus.COMMITTED).select_related("region")
    for batch in batches.order_by("source", "-committed_at", "-id"):
        latest.setdefault(batch.source, batch)
    rows = []
    for batch in latest.values():
        listed = (batch.assumptions or {}).get("unknown_usccs") or []
        for item in listed:
            entry = item if isinstance(item, dict) else {"uscc": str(item)}
            rows.append(
                (
                    str(entry.get("uscc", "")).strip().upper(),
                    batch.source,
                    str(entry.get("name") or ""),
                    batch.region.code if batch.region_id else None,
                )
            )
    frame = pl.DataFrame(
        rows,
        schema={"uscc": pl.String, "source": pl.String, "name": pl.String, "region": pl.String},
        orient="row",
    )
    # Known to the registry after all (created since, or outside the user's scope): not unknown.
    known = set(Enterprise.objects.filter(uscc__in=frame["uscc"].to_list()).values_list("uscc", flat=True))
    return frame.filter(~pl.col("uscc").is_in(list(known)) & (pl.col("uscc") != ""))


# ---------------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------------
COLUMNS = ("严重程度", "统一社会信用代码", "企业名称", "县区", "数据来源", "指标", "说明")
KIND_NOTES = {
    "missing": "规上企业在应报送的部门数据中没有记录。",
    "tax_without_land": "有实缴税金但用地面积为 0 或缺失，亩均效益评价无法计算。",
    "jump": "与上年相比变动超过阈值倍数，多为单位或录入错误。",
    "unknown_uscc": "部门数据中出现、企业库中没有的统一社会信用代码。",
    "name_mismatch": "部门所报名称与企业库名称不一致。",
}


def report_workbook(report: Report) -> bytes:
    """The report as a workbook: a summary sheet, then one sheet per kind of finding."""
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7", "text_wrap": True})
    red = wb.add_format({"font_color": "#C00000", "bold": True})
    number = wb.add_format({"num_format": "#,##0.####"})

    ws = wb.add_worksheet("汇总")
    ws.set_column(0, 0, 22)
    ws.set_column(1, 3, 10)
    ws.set_column(4, 4, 60)
    ws.write_string(0, 0, f"{report.year} 年度部门数据核对报告", title)
    stamp = timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M")
    factor = (
        f"{report.jump_factor:g} 倍（{'政策包' if report.jump_factor_from_pack else '默认值，政策包未设置'}）"
    )
    for r, (label, value) in enumerate(
        (
            ("数据范围", report.scope),
            ("政策包版本", report.pack_version),
            ("异常变动阈值", factor),
            ("生成时间", stamp),
        ),
        start=1,
    ):
        ws.write_string(r, 0, label)
        ws.write_string(r, 1, value)
    ws.write_row(6, 0, ("类别", "阻断", "提示", "合计", "说明"), head)
    counts = report.counts()
    for r, kind in enumerate(KINDS, start=7):
        c = counts[kind]
        ws.write_string(r, 0, KINDS[kind])
        ws.write_number(r, 1, c[BLOCKER], red if c[BLOCKER] else None)
        ws.write_number(r, 2, c[WARNING])
        ws.write_number(r, 3, c[BLOCKER] + c[WARNING])
        ws.write_string(r, 4, KIND_NOTES[kind])
    total = 7 + len(KINDS)
    ws.write_string(total, 0, "合计", head)
    ws.write_number(total, 1, report.blockers, red if report.blockers else None)
    ws.write_number(total, 2, report.warnings)
    ws.write_number(total, 3, len(report.findings))
    ws.write_string(total + 2, 0, "有阻断项时，亩产效益评价须先处理或说明理由后豁免。")

    for kind, label in KINDS.items():
        findings = report.of_kind(kind)
        sheet = wb.add_worksheet(label[:31])
        keys: list[str] = []
        for f in findings:
            keys += [k for k in f.values if k not in keys]
        sheet.write_row(0, 0, (*COLUMNS, *keys), head)
        for c, width in enumerate((8, 22, 36, 12, 14, 16, 60)):
            sheet.set_column(c, c, width)
        sheet.set_column(len(COLUMNS), len(COLUMNS) + len(keys), 16)
        sheet.freeze_panes(1, 0)
        for r, f in enumerate(findings, start=1):
            sheet.write_row(
                r,
                0,
                (
                    SEVERITY_NAMES[f.severity],
                    f.uscc,
                    f.name,
                    f.region_name or f.region,
                    report.source_names.get(f.source, f.source),
                    report.metric_names.get(f.metric, f.metric),
                    f.detail,
                ),
            )
            for c, key in enumerate(keys, start=len(COLUMNS)):
                value = f.values.get(key)
                if isinstance(value, int | float):
                    sheet.write_number(r, c, value, number)
                elif value is not None:
                    sheet.write_string(r, c, str(value))
        if not findings:
            sheet.write_string(1, 0, "无")
    wb.close()
    return out.getvalue()
