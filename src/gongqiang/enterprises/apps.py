from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "gongqiang.enterprises"
    label = "enterprises"
    verbose_name = "企业库"
