from django.db import models

from ..scope import ScopedManager, ScopePath


class PolicyPack(models.Model):
    """One loaded version of a policy pack. Results record the pack they were computed with."""

    code = models.CharField("政策包代码", max_length=60)
    version = models.CharField("版本", max_length=30)
    title = models.CharField("名称", max_length=200)
    content_hash = models.CharField("内容哈希 (SHA-256)", max_length=64)
    source_file = models.CharField("来源文件", max_length=300)
    data = models.JSONField("内容")
    is_active = models.BooleanField("当前生效", default=False)
    loaded_at = models.DateTimeField("加载时间", auto_now_add=True)
    loaded_by = models.CharField("加载人", max_length=150, blank=True)

    data_scope = ScopePath(public=True)
    objects = ScopedManager()

    class Meta:
        verbose_name = "政策包"
        verbose_name_plural = "政策包"
        ordering = ["code", "-loaded_at"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="policypack_code_version")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"
