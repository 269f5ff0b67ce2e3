from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "gongqiang.evaluation"
    label = "evaluation"
    verbose_name = "亩产效益评价"

    def ready(self) -> None:
        from gongqiang.enterprises.facets import register

        from .services.facets import CLASS_FACET

        register(CLASS_FACET)
