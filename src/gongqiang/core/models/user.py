"""Users, their memberships (which give them a data scope) and API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from ..scope import ScopedManager, ScopePath


class User(AbstractUser):
    """A person. What they may see comes from their memberships, never from fields on the user."""

    display_name = models.CharField("姓名", max_length=60, blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    CITY = "city", "市级工作人员"
    DEPARTMENT = "department", "部门用户"
    COUNTY = "county", "县区用户"
    LEADER = "leader", "领导（只读）"
    ENTERPRISE = "enterprise", "企业用户"


class Membership(models.Model):
    user = models.ForeignKey(User, models.CASCADE, related_name="memberships", verbose_name="用户")
    role = models.CharField("角色", max_length=12, choices=Role.choices)
    region = models.ForeignKey("core.Region", models.PROTECT, null=True, blank=True, verbose_name="区域")
    department = models.ForeignKey("core.Department", models.PROTECT, null=True, blank=True, verbose_name="部门")
    enterprise = models.ForeignKey("enterprises.Enterprise", models.CASCADE, null=True, blank=True, verbose_name="企业")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    data_scope = ScopePath(region="region", department="department", enterprise="enterprise")
    objects = ScopedManager()

    class Meta:
        verbose_name = "用户授权"
        verbose_name_plural = "用户授权"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region", "department", "enterprise"], name="membership_unique"
            )
        ]

    def __str__(self) -> str:
        target = self.region or self.department or self.enterprise
        return f"{self.get_role_display()}" + (f"：{target}" if target else "")

    def clean(self) -> None:
        needs = {Role.COUNTY: "region", Role.DEPARTMENT: "department", Role.ENTERPRISE: "enterprise"}
        required = needs.get(self.role)
        for field in ("region", "department", "enterprise"):
            value = getattr(self, f"{field}_id")
            if field == required and value is None:
                raise ValidationError({field: f"角色“{self.get_role_display()}”必须指定{self._meta.get_field(field).verbose_name}。"})
            if field != required and value is not None:
                raise ValidationError({field: f"角色“{self.get_role_display()}”不应指定{self._meta.get_field(field).verbose_name}。"})


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only the SHA-256 of the key is stored; the key is shown once."""

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens", verbose_name="用户")
    name = models.CharField("用途", max_length=60)
    prefix = models.CharField("前缀", max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str) -> tuple["ApiToken", str]:
        key = "gq_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[:8], digest=cls.hash_key(key))
        return token, key
