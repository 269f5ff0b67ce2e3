from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The pages that span areas (home per role). Depends on every app; nothing depends on it."""

    name = "gongqiang.portal"
    label = "portal"
    verbose_name = "门户"
