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
