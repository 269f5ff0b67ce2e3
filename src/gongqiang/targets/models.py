"""Observations of the pack's targets, counties' shares of them, and status overrides.

Targets themselves are not tables: they are the active policy pack's data (core.services.policy),
referred to here by their id ("G1.1"). Values are Decimals in the target's own unit (亿元 for
industrial output, % for shares, 家 for counts): the unit is copied on every row, and what the person
typed (value and unit) is kept beside the converted value.

History: a new value for the same target, region and period marks the old row not current; rows are
never updated in place otherwise, so the trail of a figure is its rows.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from gongqiang.core.scope import ScopedManager, ScopedQuerySet, ScopePath, memberships_of, scope_filter


class CityTotalsQuerySet(ScopedQuerySet):
    """County users also read the city's own rows (the city totals are published to every county);
    everything else follows the model's ScopePath."""

    def visible_to(self, user: Any) -> ScopedQuerySet:
        q = scope_filter(self.model, user)
        if q is not None and not q:  # everything
            return self.all()
        if any(m.role == "county" for m in memberships_of(user)):
            city = Q(region__kind="city")
            return self.filter(city if q is None else (q | city))
        return self.none() if q is None else self.filter(q)


class CityTotalsManager(models.Manager.from_queryset(CityTotalsQuerySet)):  # type: ignore[misc]
    pass


class Source(models.TextChoices):
    ENTERED = "entered", "录入"
    IMPORTED = "imported", "导入"
    COMPUTED = "computed", "计算"


class ImportKind(models.TextChoices):
    OBSERVATIONS = "observations", "目标数据"
    SPLIT = "split", "县区分解"


class ImportStatus(models.TextChoices):
    COMMITTED = "committed", "已入库"
    REJECTED = "rejected", "有错误，未写入"


class TargetImport(models.Model):
    """One uploaded workbook of target values or of a county split: all rows written, or none."""

    kind = models.CharField("类型", max_length=12, choices=ImportKind.choices)
    # The uploader's scope: their county, or the city for city-wide and department uploads.
    region = models.ForeignKey("core.Region", models.PROTECT, related_name="+", verbose_name="区域")
    department = models.ForeignKey("core.Department", models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name="部门")
    file = models.FileField("文件", upload_to="targets/imports/%Y/%m/", max_length=300)
    file_name = models.CharField("文件名", max_length=255)
    file_hash = models.CharField("文件 SHA-256", max_length=64)
    status = models.CharField("状态", max_length=10, choices=ImportStatus.choices)
    rows = models.PositiveIntegerField("数据行", default=0)
    written = models.PositiveIntegerField("写入", default=0)
    errors = models.JSONField("错误", default=list, blank=True)  # [{row, column, reason}]
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    uploaded_by_name = models.CharField("上传人", max_length=150, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    data_scope = ScopePath(region="region", department="department")
    objects = ScopedManager()

    class Meta:
        verbose_name = "目标数据导入"
        verbose_name_plural = "目标数据导入"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"


class Observation(models.Model):
    target = models.CharField("目标", max_length=60, db_index=True)
    region = models.ForeignKey("core.Region", models.PROTECT, related_name="+", verbose_name="区域")
    # The owning department of the target when the value was written: departments read what they own.
    department = models.ForeignKey("core.Department", models.PROTECT, related_name="+", verbose_name="责任部门")
    period = models.CharField("期间", max_length=10)  # "2024", "2024Q3", "2024-03"
    year = models.PositiveSmallIntegerField("年度")
    months = models.PositiveSmallIntegerField("月数")  # months of the year covered (year-to-date)
    value = models.DecimalField("数值", max_digits=24, decimal_places=6)
    unit = models.CharField("单位", max_length=30)
    entered_value = models.DecimalField("填报数值", max_digits=30, decimal_places=6, null=True, blank=True)
    entered_unit = models.CharField("填报单位", max_length=30, blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    note = models.TextField("说明", blank=True)
    attachment = models.FileField("附件", upload_to="targets/attachments/%Y/%m/", blank=True, max_length=300)
    computation = models.CharField("计算方法", max_length=40, blank=True)
    inputs = models.JSONField("计算依据", default=dict, blank=True)  # what a computation read
    batch = models.ForeignKey(TargetImport, models.PROTECT, null=True, blank=True, related_name="observations",
                              verbose_name="导入批次")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_by_name = models.CharField("填报人", max_length=150, blank=True)
    created_at = models.DateTimeField("填报时间", auto_now_add=True)
    late = models.BooleanField("逾期补报", default=False)
    is_current = models.BooleanField("现行", default=True)
    superseded_at = models.DateTimeField("被替代时间", null=True, blank=True)
    superseded_by_name = models.CharField("替代人", max_length=150, blank=True)
    pack_version = models.CharField("政策包版本", max_length=30, blank=True)
    pack_hash = models.CharField("政策包哈希", max_length=64, blank=True)

    data_scope = ScopePath(region="region", department="department")
    objects = CityTotalsManager()

    class Meta:
        verbose_name = "目标观测值"
        verbose_name_plural = "目标观测值"
        ordering = ["target", "region__path", "year", "months", "-created_at"]
        indexes = [models.Index(fields=["is_current", "target", "region"])]
        constraints = [
            models.UniqueConstraint(fields=["target", "region", "period"], condition=Q(is_current=True),
                                    name="observation_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.period} {self.value} {self.unit}"


class Allocation(models.Model):
    """A county's share of a city target (目标分解): its own baseline and goal, in the target's unit."""

    target = models.CharField("目标", max_length=60, db_index=True)
    region = models.ForeignKey("core.Region", models.PROTECT, related_name="+", verbose_name="县区")
    department = models.ForeignKey("core.Department", models.PROTECT, related_name="+", verbose_name="责任部门")
    start_value = models.DecimalField("基期值", max_digits=24, decimal_places=6, null=True, blank=True)
    goal_value = models.DecimalField("目标值", max_digits=24, decimal_places=6)
    unit = models.CharField("单位", max_length=30)
    note = models.CharField("说明", max_length=200, blank=True)
    batch = models.ForeignKey(TargetImport, models.PROTECT, null=True, blank=True, related_name="allocations")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_by_name = models.CharField("分解人", max_length=150, blank=True)
    created_at = models.DateTimeField("分解时间", auto_now_add=True)
    is_current = models.BooleanField("现行", default=True)
    superseded_at = models.DateTimeField("被替代时间", null=True, blank=True)

    data_scope = ScopePath(region="region", department="department")
    objects = ScopedManager()

    class Meta:
        verbose_name = "目标分解"
        verbose_name_plural = "目标分解"
        ordering = ["target", "region__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["target", "region"], condition=Q(is_current=True),
                                    name="allocation_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.region_id} {self.goal_value}"


class StatusOverride(models.Model):
    """A person's judgement of a target's status, with the reason: shown as such, beside the computed one."""

    target = models.CharField("目标", max_length=60, db_index=True)
    region = models.ForeignKey("core.Region", models.PROTECT, related_name="+", verbose_name="区域")
    department = models.ForeignKey("core.Department", models.PROTECT, related_name="+", verbose_name="责任部门")
    status = models.CharField("状态", max_length=20)
    reason = models.TextField("理由")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_by_name = models.CharField("认定人", max_length=150, blank=True)
    created_at = models.DateTimeField("认定时间", auto_now_add=True)
    is_current = models.BooleanField("现行", default=True)

    data_scope = ScopePath(region="region", department="department")
    objects = CityTotalsManager()

    class Meta:
        verbose_name = "状态人工认定"
        verbose_name_plural = "状态人工认定"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["target", "region"], condition=Q(is_current=True),
                                    name="status_override_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.status}"
