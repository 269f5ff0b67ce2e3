"""Evaluation runs, their results, objections and appeals, and the low-efficiency lists of task one."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from gongqiang.core.scope import ScopedManager, ScopePath

USER = settings.AUTH_USER_MODEL


class MethodOrigin(models.TextChoices):
    PACK = "pack", "政策包默认方法"
    COPY = "copy", "复制上一年"
    EDIT = "edit", "市级修改"


class MethodVersion(models.Model):
    """The method used for one evaluation year. A change is a new version; earlier ones stay."""

    year = models.PositiveSmallIntegerField("评价年度")
    version = models.PositiveIntegerField("版本")
    spec = models.JSONField("方法")
    sha256 = models.CharField("内容哈希", max_length=64)
    origin = models.CharField("来源", max_length=10, choices=MethodOrigin.choices)
    based_on = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="基于"
    )
    note = models.TextField("修改说明", blank=True)
    pack_version = models.CharField("政策包版本", max_length=30, blank=True)
    pack_hash = models.CharField("政策包哈希", max_length=64, blank=True)
    created_by = models.ForeignKey(USER, models.SET_NULL, null=True, blank=True, related_name="+")
    created_by_name = models.CharField("创建人", max_length=150, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    data_scope = ScopePath(public=True)  # the method is published with the results
    objects = ScopedManager()

    class Meta:
        verbose_name = "评价方法版本"
        verbose_name_plural = "评价方法版本"
        ordering = ["-year", "-version"]
        constraints = [models.UniqueConstraint(fields=["year", "version"], name="method_year_version")]

    def __str__(self) -> str:
        return f"{self.year}年评价方法 第{self.version}版"


class RunKind(models.TextChoices):
    OFFICIAL = "official", "正式评价"
    WHATIF = "whatif", "模拟测算"


class RunStatus(models.TextChoices):
    DRAFT = "draft", "企业自查"
    COUNTY_REVIEW = "county_review", "县区审核"
    CITY_APPROVAL = "city_approval", "市级审定"
    PUBLIC_NOTICE = "public_notice", "公示中"
    PUBLISHED = "published", "已发布"
    SUPERSEDED = "superseded", "已被新版本取代"
    DISCARDED = "discarded", "已作废"


class EvaluationRun(models.Model):
    """One application of a method version to one year's data snapshot."""

    year = models.PositiveSmallIntegerField("评价年度", db_index=True)
    version = models.PositiveIntegerField("版本")
    kind = models.CharField("类型", max_length=10, choices=RunKind.choices, default=RunKind.OFFICIAL)
    status = models.CharField("状态", max_length=16, choices=RunStatus.choices, default=RunStatus.DRAFT)
    method = models.ForeignKey(MethodVersion, models.PROTECT, related_name="runs", verbose_name="评价方法")
    method_spec = models.JSONField("所用方法")  # a what-if run's edited method is kept here, not as a version
    method_hash = models.CharField("方法哈希", max_length=64)
    pack_version = models.CharField("政策包版本", max_length=30, blank=True)
    pack_hash = models.CharField("政策包哈希", max_length=64, blank=True)
    snapshot_hash = models.CharField("数据快照哈希", max_length=64)
    based_on = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="上一版本"
    )
    reason = models.TextField("发起理由", blank=True)
    waiver_reason = models.TextField("豁免数据阻断问题的理由", blank=True)
    blockers = models.PositiveIntegerField("发起时未解决的阻断问题", default=0)
    notice_start = models.DateField("公示开始", null=True, blank=True)
    notice_end = models.DateField("公示结束", null=True, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    approved_by_name = models.CharField("审定人", max_length=150, blank=True)
    published_by_name = models.CharField("发布人", max_length=150, blank=True)
    created_by = models.ForeignKey(USER, models.SET_NULL, null=True, blank=True, related_name="+")
    created_by_name = models.CharField("发起人", max_length=150, blank=True)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)

    # A run is the city's act; what a county may see of it is its results (scoped below). The run row
    # holds no county figures.
    data_scope = ScopePath(public=True)
    objects = ScopedManager()

    class Meta:
        verbose_name = "评价批次"
        verbose_name_plural = "评价批次"
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "kind", "version"], name="run_year_kind_version")
        ]

    def __str__(self) -> str:
        kind = "模拟" if self.kind == RunKind.WHATIF else ""
        return f"{self.year}年亩产效益评价{kind} 第{self.version}版"

    @property
    def is_frozen(self) -> bool:
        return self.status in (RunStatus.PUBLISHED, RunStatus.SUPERSEDED, RunStatus.DISCARDED)


class RunSnapshot(models.Model):
    """The exact inputs of a run (Parquet), so a what-if or a re-run reads the same data."""

    run = models.OneToOneField(EvaluationRun, models.CASCADE, related_name="snapshot")
    current = models.BinaryField("当年数据")
    previous = models.BinaryField("上年数据", null=True, blank=True)

    data_scope = ScopePath(public=False)
    objects = ScopedManager()

    def __str__(self) -> str:
        return f"{self.run} 数据快照"


class UnitReview(models.Model):
    """A county's confirmation of its units' results (县区审核)."""

    run = models.ForeignKey(EvaluationRun, models.CASCADE, related_name="reviews")
    region = models.ForeignKey("core.Region", models.PROTECT, related_name="+", verbose_name="评价单位")
    comment = models.TextField("审核意见", blank=True)
    reviewed_by = models.ForeignKey(USER, models.SET_NULL, null=True, blank=True, related_name="+")
    reviewed_by_name = models.CharField("审核人", max_length=150, blank=True)
    reviewed_at = models.DateTimeField("审核时间", auto_now_add=True)

    data_scope = ScopePath(region="region")
    objects = ScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "region"], name="review_run_region")]

    def __str__(self) -> str:
        return f"{self.run} {self.region} 审核"


class Result(models.Model):
    run = models.ForeignKey(EvaluationRun, models.CASCADE, related_name="results")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", models.PROTECT, related_name="evaluation_results"
    )
    region = models.ForeignKey("core.Region", models.PROTECT, related_name="+", verbose_name="评价单位")
    unit = models.CharField("评价单元", max_length=20)  # region, or region|industry division
    group = models.CharField("评价分组", max_length=30)
    status = models.CharField("评价状态", max_length=10)  # evaluated | T | exception | excluded
    industry_code = models.CharField("行业代码", max_length=4, blank=True)
    computed_class = models.CharField("计算类别", max_length=1, blank=True)
    adjusted_class = models.CharField("调整后类别", max_length=1, blank=True)
    adjust_reason = models.TextField("调档理由", blank=True)
    final_class = models.CharField("类别", max_length=1, blank=True, db_index=True)
    total = models.DecimalField("综合得分", max_digits=8, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField("单位内排名", null=True, blank=True)
    veto = models.BooleanField("一票否决", default=False)
    low_efficiency = models.BooleanField("低效企业", default=False)
    low_efficiency_reason = models.CharField("低效原因", max_length=200, blank=True)
    reason = models.TextField("说明", blank=True)
    land_mu = models.DecimalField("用地（亩）", max_digits=14, decimal_places=4, null=True, blank=True)
    tax_per_mu = models.DecimalField(
        "亩均税收（万元/亩）", max_digits=14, decimal_places=4, null=True, blank=True
    )
    detail = models.JSONField("评价过程", default=dict)  # scores, values, benchmarks, rules, bonus, inputs

    data_scope = ScopePath(region="region", enterprise="enterprise")
    objects = ScopedManager()

    class Meta:
        verbose_name = "评价结果"
        verbose_name_plural = "评价结果"
        ordering = ["region__path", "group", "rank"]
        constraints = [models.UniqueConstraint(fields=["run", "enterprise"], name="result_run_enterprise")]
        indexes = [models.Index(fields=["run", "region", "final_class"])]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.run.year}年 {self.final_class or self.get_status_display()}"

    def get_status_display(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)


STATUS_NAMES = {"evaluated": "参评", "T": "暂不评价", "exception": "数据异常待核实", "excluded": "不参评"}
CLASS_NAMES = {
    "A": "A类 优先发展",
    "B": "B类 支持发展",
    "C": "C类 提升发展",
    "D": "D类 限制发展",
    "T": "T类 暂不评价",
}


class ItemFlag(models.Model):
    """A bonus, penalty or veto item of an enterprise in a year (高新技术企业, 行政处罚, 安全事故 …)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", models.CASCADE, related_name="evaluation_items")
    year = models.PositiveSmallIntegerField("年度")
    item = models.CharField("事项", max_length=60)
    evidence = models.TextField("依据", blank=True)
    created_by_name = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    data_scope = ScopePath(region="enterprise__region", enterprise="enterprise")
    objects = ScopedManager()

    class Meta:
        verbose_name = "加减分及否决事项"
        verbose_name_plural = "加减分及否决事项"
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year", "item"], name="item_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year} {self.item}"


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", "待处理"
    ACCEPTED = "accepted", "已采纳"
    REJECTED = "rejected", "不予采纳"


class Objection(models.Model):
    """An enterprise's objection to its own data during the self-check window; the county answers."""

    run = models.ForeignKey(EvaluationRun, models.PROTECT, related_name="objections")
    enterprise = models.ForeignKey("enterprises.Enterprise", models.PROTECT, related_name="+")
    region = models.ForeignKey("core.Region", models.PROTECT, related_name="+")
    text = models.TextField("异议内容")
    evidence = models.FileField("证明材料", upload_to="evaluation/objections/%Y/", blank=True, max_length=300)
    status = models.CharField(
        "处理状态", max_length=10, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED
    )
    response = models.TextField("县区答复", blank=True)
    responded_by_name = models.CharField("答复人", max_length=150, blank=True)
    responded_at = models.DateTimeField("答复时间", null=True, blank=True)
    created_by_name = models.CharField("提交人", max_length=150, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    data_scope = ScopePath(region="region", enterprise="enterprise")
    objects = ScopedManager()

    class Meta:
        verbose_name = "自查异议"
        verbose_name_plural = "自查异议"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.enterprise_id} 自查异议"


class Appeal(models.Model):
    """An appeal against a published class (调档); the city decides, a granted one makes a new version."""

    result = models.ForeignKey(Result, models.PROTECT, related_name="appeals")
    enterprise = models.ForeignKey("enterprises.Enterprise", models.PROTECT, related_name="+")
    region = models.ForeignKey("core.Region", models.PROTECT, related_name="+")
    requested_class = models.CharField("申请类别", max_length=1)
    text = models.TextField("申请理由")
    evidence = models.FileField("证明材料", upload_to="evaluation/appeals/%Y/", blank=True, max_length=300)
    status = models.CharField(
        "处理状态", max_length=10, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED
    )
    decision = models.TextField("市级决定理由", blank=True)
    decided_by_name = models.CharField("决定人", max_length=150, blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    new_run = models.ForeignKey(EvaluationRun, models.PROTECT, null=True, blank=True, related_name="+")
    filed_by_name = models.CharField("申请人", max_length=150, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)

    data_scope = ScopePath(region="region", enterprise="enterprise")
    objects = ScopedManager()

    class Meta:
        verbose_name = "调档申请"
        verbose_name_plural = "调档申请"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.enterprise_id} 调档申请"


class ListStatus(models.TextChoices):
    LISTED = "listed", "待整治"
    IN_PROGRESS = "in_progress", "整治中"
    UPGRADED = "upgraded", "已提升"
    CLEARED = "cleared", "已出清"
    REMOVED = "removed", "已移出"


class ExitKind(models.TextChoices):
    CLOSED = "closed", "关闭"
    BANKRUPT = "bankrupt", "破产"
    MERGED = "merged", "兼并重组"
    LAND_TAKEN_BACK = "land_taken_back", "土地收回"
    LAND_TRANSFERRED = "land_transferred", "土地转让给新用地者"


class LowEfficiencyEntry(models.Model):
    """An enterprise on the low-efficiency list, followed to an outcome (任务一)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", models.PROTECT, related_name="low_efficiency")
    region = models.ForeignKey("core.Region", models.PROTECT, related_name="+", verbose_name="县区")
    cohort_year = models.PositiveSmallIntegerField("列入年度", db_index=True)
    first_run = models.ForeignKey(EvaluationRun, models.PROTECT, null=True, blank=True, related_name="+")
    group = models.CharField("评价分组", max_length=30, blank=True)
    manual = models.BooleanField("人工列入", default=False)
    reason = models.CharField("列入原因", max_length=300)
    first_batch = models.BooleanField("首批210家", default=False)
    land_mu = models.DecimalField("用地（亩）", max_digits=14, decimal_places=4, null=True, blank=True)
    tax_per_mu = models.DecimalField(
        "列入时亩均税收（万元/亩）", max_digits=14, decimal_places=4, null=True, blank=True
    )
    status = models.CharField("状态", max_length=12, choices=ListStatus.choices, default=ListStatus.LISTED)
    exit_kind = models.CharField("出清方式", max_length=20, choices=ExitKind.choices, blank=True)
    status_date = models.DateField("状态日期", null=True, blank=True)
    evidence = models.TextField("佐证", blank=True)
    removed_reason = models.TextField("移出理由", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    data_scope = ScopePath(region="region", enterprise="enterprise")
    objects = ScopedManager()

    class Meta:
        verbose_name = "低效企业清单"
        verbose_name_plural = "低效企业清单"
        ordering = ["region__path", "cohort_year", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "cohort_year"], name="low_eff_once_per_cohort")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.cohort_year}年低效清单"


class ListEvent(models.Model):
    """Every status change of a list entry, with evidence and date."""

    entry = models.ForeignKey(LowEfficiencyEntry, models.CASCADE, related_name="events")
    region = models.ForeignKey("core.Region", models.PROTECT, related_name="+")
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12)
    date = models.DateField("日期")
    note = models.TextField("说明", blank=True)
    created_by_name = models.CharField("操作人", max_length=150, blank=True)
    created_at = models.DateTimeField("操作时间", auto_now_add=True)

    data_scope = ScopePath(region="region")
    objects = ScopedManager()

    class Meta:
        ordering = ["entry", "created_at"]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.from_status}→{self.to_status}"
