"""The organisation: regions (city, counties, zones, towns) and departments, loaded from the policy pack."""

from django.db import models

from ..scope import ScopedManager, ScopePath


class RegionKind(models.TextChoices):
    CITY = "city", "市"
    DISTRICT = "district", "区"
    COUNTY = "county", "县"
    ZONE = "zone", "功能区"
    TOWN = "town", "乡镇街道"


# Kinds that are evaluated and assessed as a county-level unit.
COUNTY_LEVEL_KINDS = (RegionKind.DISTRICT, RegionKind.COUNTY, RegionKind.ZONE)


class Region(models.Model):
    """A division. `path` is the materialised path of codes ("371300/371302/371302001/"), so a subtree
    is one indexed prefix match on any database."""

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=60)
    short_name = models.CharField("简称", max_length=30, blank=True)
    kind = models.CharField("类型", max_length=10, choices=RegionKind.choices)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级")
    path = models.CharField("路径", max_length=200, unique=True, editable=False)
    sort_order = models.PositiveIntegerField("排序", default=0)

    data_scope = ScopePath(region="")
    objects = ScopedManager()

    class Meta:
        verbose_name = "区域"
        verbose_name_plural = "区域"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.path = (self.parent.path if self.parent_id else "") + f"{self.code}/"
        super().save(*args, **kwargs)

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    @property
    def is_county_level(self) -> bool:
        return self.kind in COUNTY_LEVEL_KINDS

    def county_level(self) -> "Region | None":
        """The county-level unit this region belongs to (itself for a county, its parent for a town)."""
        node: Region | None = self
        while node is not None and not node.is_county_level:
            node = node.parent
        return node


class Department(models.Model):
    code = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=60)
    short_name = models.CharField("简称", max_length=30, blank=True)
    region = models.ForeignKey(Region, models.PROTECT, related_name="departments", verbose_name="所属区域")
    supplies_data = models.BooleanField("数据来源部门", default=False)
    sort_order = models.PositiveIntegerField("排序", default=0)

    # Departments are public within the city: every signed-in member may see the list.
    data_scope = ScopePath(public=True)
    objects = ScopedManager()

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name
