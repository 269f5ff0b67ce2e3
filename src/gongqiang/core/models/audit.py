"""The audit trail: a change record per create/update/delete of a domain row, and auth events."""

from django.conf import settings
from django.db import models


class ChangeAction(models.TextChoices):
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"


class ChangeRecord(models.Model):
    time = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name="用户")
    # A copy of the name, so the record still reads right after the user is renamed or deleted.
    user_name = models.CharField("用户名", max_length=150, blank=True)
    request_id = models.CharField("请求号", max_length=36, blank=True, db_index=True)
    action = models.CharField("操作", max_length=10, choices=ChangeAction.choices)
    model_label = models.CharField("对象类型", max_length=100, db_index=True)
    object_id = models.CharField("对象ID", max_length=64, db_index=True)
    object_repr = models.CharField("对象", max_length=200)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)

    class Meta:
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.model_label} {self.object_repr}"

    def changed_fields(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class AuthEventKind(models.TextChoices):
    LOGIN = "login", "登录成功"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKED = "locked", "账号锁定中被拒"
    LOGOUT = "logout", "退出"


class AuthEvent(models.Model):
    time = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    kind = models.CharField("类型", max_length=14, choices=AuthEventKind.choices)
    username = models.CharField("用户名", max_length=150, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name="用户")
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    user_agent = models.CharField("浏览器", max_length=300, blank=True)
    request_id = models.CharField("请求号", max_length=36, blank=True)

    class Meta:
        verbose_name = "登录记录"
        verbose_name_plural = "登录记录"
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["username", "kind", "time"])]

    def __str__(self) -> str:
        return f"{self.username} {self.get_kind_display()}"
