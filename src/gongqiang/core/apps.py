from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gongqiang.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from . import audit  # noqa: F401  (connects the generic audit hooks)
