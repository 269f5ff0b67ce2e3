"""The enterprise registry, keyed by the unified social credit code (USCC)."""

from django.core.exceptions import ValidationError
from django.db import models

from gongqiang.core.scope import ScopedManager, ScopePath
from gongqiang.lib.uscc import uscc_error


def validate_uscc(value: str) -> None:
    error = uscc_error(value)
    if error:
        raise ValidationError(error, code="invalid_uscc")


class EnterpriseStatus(models.TextChoices):
    OPERATING = "operating", "在营"
    STOPPED = "stopped", "停产"
    CLOSED = "closed", "注销/关闭"
    MOVED = "moved", "迁出"
    MERGED = "merged", "被兼并"


class Enterprise(models.Model):
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True, validators=[validate_uscc])
    name = models.CharField("企业名称", max_length=200, db_index=True)
    region = models.ForeignKey(
        "core.Region", models.PROTECT, related_name="enterprises", verbose_name="属地（县区）"
    )
    town = models.ForeignKey(
        "core.Region", models.PROTECT, null=True, blank=True, related_name="town_enterprises", verbose_name="乡镇街道"
    )
    industry_code = models.CharField("行业代码", max_length=4, db_index=True)
    above_scale = models.BooleanField("规上企业", default=False, db_index=True)
    status = models.CharField("状态", max_length=10, choices=EnterpriseStatus.choices, default=EnterpriseStatus.OPERATING)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    data_scope = ScopePath(region="region", enterprise="")
    objects = ScopedManager()

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["region__path", "name"]
        indexes = [models.Index(fields=["region", "above_scale", "name"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.uscc:
            self.uscc = self.uscc.strip().upper()
        if self.town_id and self.region_id and not self.town.path.startswith(self.region.path):
            raise ValidationError({"town": "乡镇街道不属于所选县区。"})



class EnterpriseName(models.Model):
    """A name the enterprise bore, with the dates it bore it (the current name stays on Enterprise)."""

    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="former_names", verbose_name="企业")
    name = models.CharField("曾用名", max_length=200, db_index=True)
    valid_from = models.DateField("起始日期", null=True, blank=True)
    valid_to = models.DateField("截止日期", null=True, blank=True)
    source = models.CharField("来源", max_length=60, blank=True)

    data_scope = ScopePath(region="enterprise__region", enterprise="enterprise")
    objects = ScopedManager()

    class Meta:
        verbose_name = "企业曾用名"
        verbose_name_plural = "企业曾用名"
        ordering = ["enterprise", "-valid_to"]

    def __str__(self) -> str:
        return self.name


class EnterpriseYear(models.Model):
    """The enterprise as it stood in one year: its county (属地) then, its town, scale and industry.

    An enterprise that moved counts for the county it belonged to in that year.
    """

    # No database-level foreign keys (migration 0006), for the reason Fact has none: the statistics
    # import creates a year's rows for every enterprise of its file in one INSERT … SELECT from the
    # enterprise table itself, and PostgreSQL then checked 100,000 rows' three deferred keys one locking
    # SELECT at a time at COMMIT (1.1 s of an 8 s commit, measured). CASCADE and PROTECT are Django's
    # (the ORM applies them); forms only offer existing rows. The enterprise needs no index of its own:
    # the unique (enterprise, year) index leads with it.
    enterprise = models.ForeignKey(
        Enterprise, models.CASCADE, related_name="years", verbose_name="企业", db_constraint=False, db_index=False
    )
    year = models.PositiveSmallIntegerField("年度")
    region = models.ForeignKey(
        "core.Region", models.PROTECT, related_name="+", verbose_name="属地（县区）", db_constraint=False
    )
    town = models.ForeignKey(
        "core.Region", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="乡镇街道",
        db_constraint=False,
    )
    above_scale = models.BooleanField("规上企业", default=False)
    industry_code = models.CharField("行业代码", max_length=4, blank=True)
    status = models.CharField("状态", max_length=10, choices=EnterpriseStatus.choices, default=EnterpriseStatus.OPERATING)

    # Scoped by the county of that year: a county sees the years the enterprise was its own.
    data_scope = ScopePath(region="region", enterprise="enterprise")
    objects = ScopedManager()

    class Meta:
        verbose_name = "企业年度信息"
        verbose_name_plural = "企业年度信息"
        ordering = ["enterprise", "year"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="enterprise_year_unique")]
        indexes = [models.Index(fields=["year", "region", "above_scale"])]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}"


class LandTenure(models.TextChoices):
    OWNED = "owned", "自有"
    LEASED_IN = "leased_in", "租入"
    LEASED_OUT = "leased_out", "租出"


class LandParcel(models.Model):
    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="parcels", verbose_name="企业")
    year = models.PositiveSmallIntegerField("年度")
    certificate = models.CharField("不动产权证号", max_length=100, blank=True)
    location = models.CharField("坐落", max_length=200, blank=True)
    use = models.CharField("用途", max_length=40, blank=True)
    tenure = models.CharField("使用类型", max_length=12, choices=LandTenure.choices, default=LandTenure.OWNED)
    area_mu = models.DecimalField("面积（亩）", max_digits=14, decimal_places=4)
    batch = models.ForeignKey("enterprises.ImportBatch", models.PROTECT, null=True, blank=True, related_name="parcels")
    is_current = models.BooleanField("现行", default=True)

    data_scope = ScopePath(region="enterprise__region", enterprise="enterprise")
    objects = ScopedManager()
    audit_exempt = True  # written in bulk by imports; the batch is the record

    class Meta:
        verbose_name = "宗地"
        verbose_name_plural = "宗地"
        ordering = ["enterprise", "year", "certificate"]

    def __str__(self) -> str:
        return f"{self.certificate or self.location} {self.area_mu} 亩"


class BatchStatus(models.TextChoices):
    UPLOADED = "uploaded", "已上传"
    VALIDATED = "validated", "已校验，待确认"
    COMMITTING = "committing", "写入中"
    COMMITTED = "committed", "已入库"
    FAILED = "failed", "失败"
    ROLLED_BACK = "rolled_back", "已撤销"
    DISCARDED = "discarded", "已放弃"


class CommitMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", "有任何错误则全部不写入"
    VALID_ROWS = "valid_rows", "写入全部正确行，错误行另出报告"


class ImportBatch(models.Model):
    """One uploaded department file and what became of it. Facts point to the batch that supplied them."""

    source = models.CharField("数据来源", max_length=40)
    department = models.ForeignKey("core.Department", models.PROTECT, related_name="import_batches", verbose_name="部门")
    # The uploader's county for a county upload (its rows must all be of that county); null for city-wide.
    region = models.ForeignKey("core.Region", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="县区")
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份", null=True, blank=True)
    file = models.FileField("文件", upload_to="imports/%Y/%m/", max_length=300)
    file_name = models.CharField("文件名", max_length=255)
    file_hash = models.CharField("文件 SHA-256", max_length=64, db_index=True)
    uploaded_by = models.ForeignKey("core.User", models.SET_NULL, null=True, related_name="+", verbose_name="上传人")
    uploaded_by_name = models.CharField("上传人姓名", max_length=150, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    mode = models.CharField("写入方式", max_length=16, choices=CommitMode.choices, default=CommitMode.ALL_OR_NOTHING)
    create_unknown = models.BooleanField("自动新建未知企业", default=False)
    status = models.CharField("状态", max_length=12, choices=BatchStatus.choices, default=BatchStatus.UPLOADED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    message = models.TextField("说明", blank=True)
    # Counts: rows, valid, invalid, new, changed, unchanged, enterprises_created.
    counts = models.JSONField("计数", default=dict, blank=True)
    # What the importer assumed: header → field mapping, the unit of each column and why.
    assumptions = models.JSONField("识别与假定", default=dict, blank=True)
    error_report = models.FileField("错误报告", upload_to="imports/errors/%Y/%m/", blank=True, max_length=300)
    pack_version = models.CharField("政策包版本", max_length=30, blank=True)
    pack_hash = models.CharField("政策包哈希", max_length=64, blank=True)
    committed_at = models.DateTimeField("入库时间", null=True, blank=True)
    rolled_back_at = models.DateTimeField("撤销时间", null=True, blank=True)
    rolled_back_by = models.CharField("撤销人", max_length=150, blank=True)

    data_scope = ScopePath(region="region", department="department")
    objects = ScopedManager()

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["source", "year", "status"])]

    def __str__(self) -> str:
        return f"{self.year} {self.source} #{self.pk}"


class Fact(models.Model):
    """One figure of one enterprise for one year (month 0 for yearly figures) and one metric.

    Stored long, so a new metric is a pack change. A re-import adds new rows and marks the old ones
    not current (`superseded_by`): history is never overwritten. Exactly one current row per key.
    """

    # The (enterprise, year) index serves lookups by enterprise; a second one would only slow bulk loads.
    # No database-level constraint either: PostgreSQL checks a deferred foreign key with one locking
    # SELECT per row at COMMIT (measured: 10 s for 800,000 facts, more than the COPY itself). Facts are
    # written only by the import, with ids it read from the registry inside the same transaction, and
    # deleting an enterprise cascades through Django (CASCADE is applied by the ORM, not the database).
    enterprise = models.ForeignKey(
        Enterprise, models.CASCADE, related_name="facts", verbose_name="企业", db_index=False, db_constraint=False
    )
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份", default=0)  # 0 = the whole year
    metric = models.CharField("指标", max_length=40)
    value = models.DecimalField("数值", max_digits=24, decimal_places=4)
    # Batches are never deleted (PROTECT in Django) and an import writes only its own batch id, so the
    # database-level constraints are left out: each one costs seconds at COMMIT of a large import.
    batch = models.ForeignKey(ImportBatch, models.PROTECT, related_name="facts", verbose_name="批次", db_constraint=False)
    is_current = models.BooleanField("现行", default=True)
    superseded_by = models.ForeignKey(
        ImportBatch, models.SET_NULL, null=True, blank=True, related_name="superseded_facts", verbose_name="被替代于",
        db_constraint=False, db_index=False,
    )

    data_scope = ScopePath(region="enterprise__region", enterprise="enterprise")
    objects = ScopedManager()
    audit_exempt = True  # written in bulk; the batch and the history rows are the record

    class Meta:
        verbose_name = "企业指标值"
        verbose_name_plural = "企业指标值"
        # Every index costs each of an import's 800,000 new rows an insert, so there are as few as the
        # queries need. The one-current unique index leads with (year, metric): it is also the index of
        # every read of current values by year and metric (current_facts, the import's diff, the
        # evaluation's and targets' inputs, reconciliation by year), which a separate (metric, year,
        # is_current) index served before migration 0005. (enterprise, year) serves an enterprise's
        # history (the enterprise page, the cascade when an enterprise is deleted); batch (the
        # foreign key's own index, an append for each import) serves rollback.
        indexes = [
            models.Index(fields=["enterprise", "year"]),
            # Only superseded rows carry it: new rows cost nothing to index.
            models.Index(fields=["superseded_by"], name="fact_superseded_by", condition=models.Q(superseded_by__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "metric", "enterprise", "month"],
                condition=models.Q(is_current=True),
                name="fact_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year} {self.metric}={self.value}"
