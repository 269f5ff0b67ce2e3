from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "gongqiang.targets"
    label = "targets"
    verbose_name = "目标与驾驶舱"
